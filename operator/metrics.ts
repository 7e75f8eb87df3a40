import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { ImportPhase } from "./status.ts";

/** The operator's own metrics (controller-runtime's come from lib/controller-runtime): base units, no per-file labels. */
export interface OperatorMetrics {
  /** Where the imports-by-phase gauge reads its counts at each scrape (the controller's informer cache). */
  observePhases(source: () => ReadonlyMap<ImportPhase, number>): void;
  importsByPhase: Gauge<"phase">;
  filesListed: Counter;
  tasksPublished: Counter;
  tasksPurged: Counter;
  listingDuration: Histogram;
  listingFailures: Counter<"reason">;
  statusWrites: Counter;
  importsFinished: Counter<"reason">;
  driveRequests: Counter<"operation">;
  driveRetries: Counter<"operation">;
  driveRateLimited: Counter<"operation">;
  workerBacklog: Gauge;
  workerDesiredReplicas: Gauge;
  workerCurrentReplicas: Gauge;
  workerScaleWrites: Counter<"direction">;
}

const phases: readonly ImportPhase[] = [
  "Pending",
  "Listing",
  "Running",
  "Suspended",
  "Succeeded",
  "Failed",
  "Cancelled",
];

/** Registers the operator's metrics in `registry`. */
export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  const registers = [registry];
  let phaseCounts: () => ReadonlyMap<ImportPhase, number> = () => new Map();
  return {
    observePhases(source) {
      phaseCounts = source;
    },
    importsByPhase: new Gauge({
      name: "imagesync_operator_imports",
      help: "ImageImports this operator reconciles, by phase",
      labelNames: ["phase"],
      registers,
      collect() {
        const counts = phaseCounts();
        for (const phase of phases) this.set({ phase }, counts.get(phase) ?? 0);
      },
    }),
    filesListed: new Counter({
      name: "imagesync_operator_files_listed_total",
      help: "Files (and dangling shortcuts) found by folder listings",
      registers,
    }),
    tasksPublished: new Counter({
      name: "imagesync_operator_tasks_published_total",
      help: "File tasks published to the task stream",
      registers,
    }),
    tasksPurged: new Counter({
      name: "imagesync_operator_tasks_purged_total",
      help: "Queued file tasks purged from the stream (suspend, cancel, stop, delete)",
      registers,
    }),
    listingDuration: new Histogram({
      name: "imagesync_operator_listing_duration_seconds",
      help: "Time to list an import's folder tree and record its files",
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    listingFailures: new Counter({
      name: "imagesync_operator_listing_failures_total",
      help: "Folder listings that stopped with an error, by condition reason",
      labelNames: ["reason"],
      registers,
    }),
    statusWrites: new Counter({
      name: "imagesync_operator_status_writes_total",
      help: "Status subresource writes",
      registers,
    }),
    importsFinished: new Counter({
      name: "imagesync_operator_imports_finished_total",
      help: "Imports that ended, by the Succeeded condition's reason",
      labelNames: ["reason"],
      registers,
    }),
    driveRequests: new Counter({
      name: "imagesync_operator_drive_requests_total",
      help: "Requests sent to the Drive API (retries included)",
      labelNames: ["operation"],
      registers,
    }),
    driveRetries: new Counter({
      name: "imagesync_operator_drive_retries_total",
      help: "Drive requests retried after a transient or rate-limit error",
      labelNames: ["operation"],
      registers,
    }),
    driveRateLimited: new Counter({
      name: "imagesync_operator_drive_rate_limited_total",
      help: "Drive answers that were rate-limit errors",
      labelNames: ["operation"],
      registers,
    }),
    workerBacklog: new Gauge({
      name: "imagesync_operator_worker_backlog_tasks",
      help: "Tasks waiting for or held by workers (consumer num_pending + num_ack_pending)",
      registers,
    }),
    workerDesiredReplicas: new Gauge({
      name: "imagesync_operator_worker_desired_replicas",
      help: "Worker replicas the autoscaler wants, after bounds and stabilisation",
      registers,
    }),
    workerCurrentReplicas: new Gauge({
      name: "imagesync_operator_worker_current_replicas",
      help: "Worker replicas the Deployment's scale subresource reports",
      registers,
    }),
    workerScaleWrites: new Counter({
      name: "imagesync_operator_worker_scale_writes_total",
      help: "Changes the autoscaler made to the worker Deployment's replicas, by direction",
      labelNames: ["direction"],
      registers,
    }),
  };
}
