import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Counter } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardQueries, ruleQueries } from "./monitoring-assets.ts";
import { processes, processRegistries } from "./process-registries.ts";
import { startPrometheus, type RunningPrometheus } from "./prometheus.ts";

/**
 * Each process's registry served on loopback like its /metrics, scraped by a real Prometheus under the job
 * the chart's monitors set. The dashboard's and the alerts' expressions must all evaluate there.
 */
describe("a real Prometheus scraping the processes' registries", () => {
  const registries = processRegistries();
  const servers: Server[] = [];
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    const targets = [];
    for (const process of processes) {
      const registry = registries[process];
      const server = createServer((_request, response) => {
        void registry
          .metrics()
          .then((text) => response.writeHead(200, { "content-type": registry.contentType }).end(text));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
      targets.push({
        job: `imagesync-${process}`,
        address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
        labels: { namespace: "imagesync", pod: `${process}-0` },
      });
    }
    prometheus = await startPrometheus(targets);
    await prometheus.waitForTargets(targets.length);
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const server of servers) server.close();
  });

  it("scrapes the three processes under the chart's job names", async () => {
    const up = await prometheus.query(
      'up{job=~"imagesync-(operator|worker|api)", namespace="imagesync"} == 1',
    );
    expect(up.data?.result.map((series) => series.metric["job"]).sort()).toEqual([
      "imagesync-api",
      "imagesync-operator",
      "imagesync-worker",
    ]);
  });

  it("evaluates every dashboard and alert expression without an error", async () => {
    const failures: string[] = [];
    for (const query of [...dashboardQueries(), ...ruleQueries()]) {
      const result = await prometheus.query(query.expr);
      if (result.status !== "success") failures.push(`${query.where}: ${result.error}`);
    }
    expect(failures).toEqual([]);
  });

  it("sees the series the panels and alerts select, once the processes report them", async () => {
    // The operator reports every phase at each scrape; a labelled counter appears on its first increment.
    const files = registries.worker.getSingleMetric("imagesync_worker_files_total") as Counter<"result">;
    files.inc({ result: "succeeded" });
    const expectations: [string, number][] = [
      ['imagesync_operator_imports{namespace="imagesync", phase="Failed"}', 1],
      ['sum by (phase) (imagesync_operator_imports{namespace="imagesync"})', 7],
      ['imagesync_worker_files_total{namespace="imagesync", result="succeeded"}', 1],
    ];
    for (const [expr, count] of expectations) {
      await expect
        .poll(async () => (await prometheus.query(expr)).data?.result.length, {
          timeout: 10_000,
          interval: 250,
        })
        .toBe(count);
    }
  });
});
