import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** How a task ended for this worker: the label of `imagesync_worker_files_total`. */
export const fileResults = ["succeeded", "failed", "skipped", "retried", "stale"] as const;
export type FileResult = (typeof fileResults)[number];

/** The stages a file's time is split into. */
export type TransferStage = "download_first_byte" | "transfer" | "record";

/** The worker's own metrics (Drive calls are counted by drive-metrics.ts into the same registry). */
export interface WorkerMetrics {
  files: Counter<"result">;
  bytes: Counter;
  stageDuration: Histogram<"stage">;
  inFlight: Gauge;
  retries: Counter<"reason">;
  deadLetters: Counter;
}

// From a loopback first byte (~1 ms) to a multi-gigabyte transfer (~10 min).
const stageBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Registers the worker's metrics in `registry`. */
export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const metrics: WorkerMetrics = {
    files: new Counter({
      name: "imagesync_worker_files_total",
      help: "File tasks handled, by result: succeeded, failed, skipped (already stored), retried (handed back to the queue) or stale (a duplicate or outdated task, acknowledged unchanged).",
      labelNames: ["result"],
      registers: [registry],
    }),
    bytes: new Counter({
      name: "imagesync_worker_bytes_total",
      help: "Bytes streamed from Drive into S3.",
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: "imagesync_worker_stage_duration_seconds",
      help: "Time per file and stage: download_first_byte (request to first byte from Drive), transfer (first byte to the object stored), record (the PostgreSQL transaction).",
      labelNames: ["stage"],
      buckets: stageBuckets,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: "imagesync_worker_files_in_flight",
      help: "Files this worker is handling right now.",
      registers: [registry],
    }),
    retries: new Counter({
      name: "imagesync_worker_retries_total",
      help: "Files handed back to the queue for another attempt, by the failure's category (rateLimit, transient, checksumMismatch, storage, ...).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: "imagesync_worker_dead_letters_total",
      help: "Tasks JetStream stopped delivering (max deliveries reached) whose files this worker marked failed.",
      registers: [registry],
    }),
  };
  // Every result exists from the start, so rate() and alerts see a zero rather than no series.
  for (const result of fileResults) metrics.files.inc({ result }, 0);
  return metrics;
}
