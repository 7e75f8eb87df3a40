import { Counter, type Registry } from "prom-client";
import type { DriveCallHooks } from "../lib/drive/index.ts";

/**
 * Counts this process's Drive requests through lib/drive's call hooks: every request sent (first tries and
 * retries), each retry by the failure's kind, and each rate-limit push-back that slowed the pacer.
 */
export function driveMetricsHooks(registry: Registry): DriveCallHooks {
  const requests = new Counter({
    name: "imagesync_drive_requests_total",
    help: "Requests sent to Drive, retries included, by operation.",
    labelNames: ["operation"],
    registers: [registry],
  });
  const retries = new Counter({
    name: "imagesync_drive_retries_total",
    help: "Drive requests retried within a call, by operation and the failure's kind (rateLimit, transient, ...).",
    labelNames: ["operation", "reason"],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "imagesync_drive_rate_limited_total",
    help: "Rate-limit answers from Drive (403 userRateLimitExceeded/rateLimitExceeded, 429), each slowing the API key's pacer.",
    labelNames: ["operation"],
    registers: [registry],
  });
  return {
    onAttempt: (operation) => requests.inc({ operation }),
    onRetry: (operation, error) => retries.inc({ operation, reason: error.kind }),
    onRateLimited: (operation) => rateLimited.inc({ operation }),
  };
}
