import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../log/index.ts";

/** A named probe: resolves when healthy, throws (with a reason) when not. */
export type HealthCheck = () => void | Promise<void>;

export interface HealthServerOptions {
  /** Port to listen on; 0 picks a free one (see `listen`'s result). */
  port: number;
  /** Address to bind; default all interfaces, as kubelet probes and Prometheus connect from outside the pod. */
  host?: string;
  registry: Registry;
  logger: Logger;
}

/**
 * The probe and metrics endpoints: `/healthz` (liveness) and `/readyz` (readiness) run their named checks and
 * answer 200 `ok`, or 503 listing each check as `[+]name ok` / `[-]name failed: reason` like kube-apiserver;
 * `/metrics` serves the registry in Prometheus text format.
 */
export class HealthServer {
  readonly #options: HealthServerOptions;
  readonly #checks = {
    "/healthz": new Map<string, HealthCheck>(),
    "/readyz": new Map<string, HealthCheck>(),
  };
  readonly #server: Server;

  constructor(options: HealthServerOptions) {
    this.#options = options;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        options.logger.error("health server request failed", { error, url: request.url });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
  }

  /** Adds a liveness check: failing it makes the kubelet restart the container. */
  addHealthzCheck(name: string, check: HealthCheck): void {
    this.#checks["/healthz"].set(name, check);
  }

  /** Adds a readiness check: failing it takes the pod out of its Services' endpoints. */
  addReadyzCheck(name: string, check: HealthCheck): void {
    this.#checks["/readyz"].set(name, check);
  }

  /** Starts listening and returns the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.close((error) => (error === undefined ? resolve() : reject(error)));
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      const body = await this.#options.registry.metrics();
      response.writeHead(200, { "content-type": this.#options.registry.contentType }).end(body);
      return;
    }
    if (path !== "/healthz" && path !== "/readyz") {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    const results = await Promise.all(
      [...this.#checks[path]].map(async ([name, check]) => {
        try {
          await check();
          return { name, failure: undefined };
        } catch (error) {
          return { name, failure: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const failed = results.filter((result) => result.failure !== undefined);
    const headers = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
    if (failed.length === 0) {
      response.writeHead(200, headers).end("ok\n");
      return;
    }
    this.#options.logger.debug(`${path.slice(1)} check failed`, {
      failed: failed.map((result) => result.name),
    });
    const lines = results.map((r) =>
      r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.failure}`,
    );
    response.writeHead(503, headers).end(`${lines.join("\n")}\n${path.slice(1)} check failed\n`);
  }
}
