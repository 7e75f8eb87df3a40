import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** The API's Prometheus metrics, in a registry of its own (base units, `_total` counters). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "imagesync_api_requests_total",
    help: "HTTP requests answered, by route template, method and status code.",
    labelNames: ["method", "route", "status_code"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "imagesync_api_request_duration_seconds",
    help: "Time to answer an HTTP request, by route template and method.",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventStreams = new Gauge({
    name: "imagesync_api_event_streams",
    help: "Server-Sent Events streams open now.",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/** Records every answered request and serves GET /metrics. */
export function installMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook("onResponse", async (request, reply) => {
    // The route template, never the raw URL: ids in paths must not explode the label set.
    const route = request.is404 ? "unmatched" : (request.routeOptions.url ?? "unmatched");
    metrics.requests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { logLevel: "warn", schema: { hide: true } }, async (_request, reply) => {
    void reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
