import { describe, expect, it } from "vitest";
import { dashboardQueries, ruleQueries } from "./monitoring-assets.ts";
import { exportedMetrics } from "./process-registries.ts";
import { metricNames, metricSelectors } from "./promql.ts";

// Series Prometheus makes itself when it scrapes, exported by no process.
const scrapeSeries = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);
// Labels Prometheus attaches to every scraped series (the chart's monitors set job; Kubernetes discovery the rest).
const targetLabels = new Set(["job", "namespace", "pod", "instance", "service", "container", "endpoint"]);

const shipped = [...dashboardQueries(), ...ruleQueries()];
const exported = exportedMetrics();

describe("reading metric names out of PromQL", () => {
  it.each([
    ['sum by (phase) (rate(a_total{x="y"}[5m]))', ["a_total"]],
    ["histogram_quantile(0.95, sum by (le, stage) (rate(b_bucket[5m])))", ["b_bucket"]],
    [
      "(max by (namespace) (c) > 0) unless on (namespace) (sum by (namespace) (rate(d_total[10m])) > 0)",
      ["c", "d_total"],
    ],
    ["a / on (pod) group_left (node) b offset 5m", ["a", "b"]],
    ['absent(up{job="x"} == 1) or vector(0)', ["up"]],
    ['{__name__="e", job="j"} + count_values("version", f)', ["e", "f"]],
    ['label_replace(g, "dst", "$1", "src", "(.*)") and bool h', ["g", "h"]],
    ["sum(rate(i[1h30m])) by (reason) * 1e3 + inf", ["i"]],
  ])("%s reads %j", (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it("keeps the job a selector names", () => {
    expect(metricSelectors('rate(a{job="imagesync-operator", x=~"y"}[5m]) / b')).toEqual([
      { name: "a", labels: { job: "imagesync-operator" } },
      { name: "b", labels: {} },
    ]);
  });

  it("finds metrics in every shipped query", () => {
    expect(shipped.length).toBeGreaterThan(20);
    for (const query of shipped) expect(metricNames(query.expr).length, query.where).toBeGreaterThan(0);
  });
});

describe("every metric the dashboard and the alerts read", () => {
  it("is exported by an ImageSync process (read from the processes' registries)", () => {
    const missing = shipped.flatMap((query) =>
      metricNames(query.expr)
        .filter((name) => !scrapeSeries.has(name))
        .filter((name) => !exported.some((metric) => metric.seriesNames.includes(name)))
        .map((name) => `${name} (${query.where})`),
    );
    expect(missing).toEqual([]);
  });

  it("is exported by the process its job selector names", () => {
    const wrongProcess = shipped.flatMap((query) =>
      metricSelectors(query.expr)
        .filter(
          (selector) => !scrapeSeries.has(selector.name) && selector.labels["job"]?.startsWith("imagesync-"),
        )
        .filter(
          (selector) =>
            !exported.some(
              (metric) =>
                `imagesync-${metric.process}` === selector.labels["job"] &&
                metric.seriesNames.includes(selector.name),
            ),
        )
        .map((selector) => `${selector.name}{job="${selector.labels["job"]}"} (${query.where})`),
    );
    expect(wrongProcess).toEqual([]);
  });

  it("is filtered only by labels it has", () => {
    const unknownLabels = shipped.flatMap((query) =>
      metricSelectors(query.expr).flatMap((selector) => {
        const metric = exported.find((candidate) => candidate.seriesNames.includes(selector.name));
        if (metric === undefined) return [];
        return Object.keys(selector.labels)
          .filter((label) => !targetLabels.has(label) && !metric.labelNames.includes(label))
          .map((label) => `${selector.name}{${label}} (${query.where})`);
      }),
    );
    expect(unknownLabels).toEqual([]);
  });

  it("is listed here, so a rename on either side shows up in review", () => {
    const used = [...new Set(shipped.flatMap((query) => metricNames(query.expr)))].sort();
    expect(used).toEqual([
      "controller_runtime_reconcile_errors_total",
      "controller_runtime_reconcile_time_seconds_bucket",
      "controller_runtime_reconcile_total",
      "imagesync_api_request_duration_seconds_bucket",
      "imagesync_api_requests_total",
      "imagesync_operator_files_listed_total",
      "imagesync_operator_imports",
      "imagesync_operator_tasks_published_total",
      "imagesync_operator_worker_backlog_tasks",
      "imagesync_operator_worker_current_replicas",
      "imagesync_operator_worker_desired_replicas",
      "imagesync_worker_bytes_total",
      "imagesync_worker_dead_letters_total",
      "imagesync_worker_files_in_flight",
      "imagesync_worker_files_total",
      "imagesync_worker_retries_total",
      "imagesync_worker_stage_duration_seconds_bucket",
      "leader_election_master_status",
      "up",
      "workqueue_adds_total",
      "workqueue_depth",
    ]);
  });
});
