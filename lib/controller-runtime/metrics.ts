import { Counter, Gauge, Histogram, type Registry } from "prom-client";

// Names, labels, help and buckets mirror controller-runtime and client-go so their dashboards and alerts work
// unchanged. Each registry gets one set, shared by every controller and queue that reports to it.

/** What a work queue reports when scraped (values that grow while work is in flight). */
export interface QueueProbe {
  name: string;
  depth(): number;
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

export interface WorkqueueMetrics {
  adds: Counter<"name">;
  retries: Counter<"name">;
  queueDuration: Histogram<"name">;
  workDuration: Histogram<"name">;
  /** Reports `queue`'s depth and in-flight work at every scrape. */
  probe(queue: QueueProbe): void;
}

export interface ControllerMetrics {
  reconcileTotal: Counter<"controller" | "result">;
  reconcileErrors: Counter<"controller">;
  reconcileTime: Histogram<"controller">;
  activeWorkers: Gauge<"controller">;
  maxConcurrentReconciles: Gauge<"controller">;
}

export interface LeaderElectionMetrics {
  masterStatus: Gauge<"name">;
}

const workqueueSets = new WeakMap<Registry, WorkqueueMetrics>();
const controllerSets = new WeakMap<Registry, ControllerMetrics>();
const leaderElectionSets = new WeakMap<Registry, LeaderElectionMetrics>();

// client-go: ExponentialBuckets(10e-9, 10, 10).
const workqueueBuckets = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

// controller-runtime's reconcile_time_seconds buckets.
const reconcileBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** The `workqueue_*` metrics in `registry`, created on first use. */
export function workqueueMetrics(registry: Registry): WorkqueueMetrics {
  const existing = workqueueSets.get(registry);
  if (existing !== undefined) return existing;
  const probes = new Set<QueueProbe>();
  const probeGauge = (name: string, help: string, read: (queue: QueueProbe) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ["name"],
      registers: [registry],
      collect() {
        for (const queue of probes) this.set({ name: queue.name }, read(queue));
      },
    });
  };
  probeGauge("workqueue_depth", "Current depth of workqueue", (queue) => queue.depth());
  probeGauge(
    "workqueue_unfinished_work_seconds",
    "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
      "Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
    (queue) => queue.unfinishedWorkSeconds(),
  );
  probeGauge(
    "workqueue_longest_running_processor_seconds",
    "How many seconds has the longest running processor for workqueue been running.",
    (queue) => queue.longestRunningProcessorSeconds(),
  );
  const metrics: WorkqueueMetrics = {
    adds: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name"],
      registers: [registry],
    }),
    retries: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name"],
      registers: [registry],
    }),
    queueDuration: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: ["name"],
      buckets: workqueueBuckets,
      registers: [registry],
    }),
    workDuration: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes.",
      labelNames: ["name"],
      buckets: workqueueBuckets,
      registers: [registry],
    }),
    probe: (queue) => {
      probes.add(queue);
    },
  };
  workqueueSets.set(registry, metrics);
  return metrics;
}

/** The `controller_runtime_*` metrics in `registry`, created on first use. */
export function controllerMetrics(registry: Registry): ControllerMetrics {
  const existing = controllerSets.get(registry);
  if (existing !== undefined) return existing;
  const metrics: ControllerMetrics = {
    reconcileTotal: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers: [registry],
    }),
    reconcileTime: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: reconcileBuckets,
      registers: [registry],
    }),
    activeWorkers: new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"],
      registers: [registry],
    }),
    maxConcurrentReconciles: new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"],
      registers: [registry],
    }),
  };
  controllerSets.set(registry, metrics);
  return metrics;
}

/** client-go's `leader_election_master_status` in `registry`, created on first use. */
export function leaderElectionMetrics(registry: Registry): LeaderElectionMetrics {
  const existing = leaderElectionSets.get(registry);
  if (existing !== undefined) return existing;
  const metrics: LeaderElectionMetrics = {
    masterStatus: new Gauge({
      name: "leader_election_master_status",
      help:
        "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. " +
        "'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ["name"],
      registers: [registry],
    }),
  };
  leaderElectionSets.set(registry, metrics);
  return metrics;
}
