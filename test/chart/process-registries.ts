import { Registry } from "prom-client";
import { ApiMetrics } from "../../api/plugins/metrics.ts";
import {
  controllerMetrics,
  leaderElectionMetrics,
  workqueueMetrics,
} from "../../lib/controller-runtime/metrics.ts";
import { createOperatorMetrics } from "../../operator/metrics.ts";
import { driveMetricsHooks } from "../../worker/drive-metrics.ts";
import { createWorkerMetrics } from "../../worker/metrics.ts";

export const processes = ["operator", "worker", "api"] as const;
export type Process = (typeof processes)[number];

/** A metric as a registry exports it: the series names it produces and its own labels. */
export interface ExportedMetric {
  process: Process;
  name: string;
  type: string;
  /** What a scrape shows: histograms as _bucket, _sum and _count. */
  seriesNames: string[];
  labelNames: string[];
}

/**
 * Each process's registry, filled by the factories the process itself calls at start: the operator's
 * (operator/operator.ts: its own metrics, and the controller runtime's for its controller, queue and lease),
 * the worker's (worker/worker.ts) and the API's (api/app.ts).
 */
export function processRegistries(): Record<Process, Registry> {
  const operator = new Registry();
  createOperatorMetrics(operator);
  controllerMetrics(operator);
  workqueueMetrics(operator);
  leaderElectionMetrics(operator);

  const worker = new Registry();
  createWorkerMetrics(worker);
  driveMetricsHooks(worker);

  return { operator, worker, api: new ApiMetrics().registry };
}

/** Every metric the three processes export. */
export function exportedMetrics(registries = processRegistries()): ExportedMetric[] {
  return processes.flatMap((process) =>
    registries[process].getMetricsAsArray().map((metric) => {
      const type = String(metric.type);
      const suffixes =
        type === "histogram"
          ? ["_bucket", "_sum", "_count"]
          : type === "summary"
            ? ["", "_sum", "_count"]
            : [""];
      // prom-client keeps the configured label names on the metric object; its typings leave them out.
      const { labelNames = [] } = metric as unknown as { labelNames?: readonly string[] };
      return {
        process,
        name: metric.name,
        type,
        seriesNames: suffixes.map((suffix) => `${metric.name}${suffix}`),
        labelNames: [
          ...labelNames,
          ...(type === "histogram" ? ["le"] : []),
          ...(type === "summary" ? ["quantile"] : []),
        ],
      };
    }),
  );
}
