/**
 * A real Prometheus (Debian's `prometheus` package) scraping local processes, for tests that check the
 * dashboard and alert expressions against what the processes export. The e2e suite can point it at a running
 * operator, worker and API (their METRICS_PORT / API port) and evaluate every shipped expression.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort } from "../support/free-port.ts";

/** One scrape target: the job the chart's monitors would set, and the labels Kubernetes discovery would add. */
export interface ScrapeTarget {
  job: string;
  /** host:port serving /metrics. */
  address: string;
  labels?: Record<string, string>;
}

/** A Prometheus configuration scraping `targets` every `intervalSeconds`. */
export function prometheusConfig(targets: ScrapeTarget[], intervalSeconds = 1): string {
  return stringify({
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
    // One scrape config per job (Prometheus refuses duplicates); each replica is a static config of it.
    scrape_configs: [...new Set(targets.map((t) => t.job))].map((job) => ({
      job_name: job,
      metrics_path: "/metrics",
      static_configs: targets
        .filter((t) => t.job === job)
        .map((t) => ({ targets: [t.address], labels: t.labels ?? {} })),
    })),
  });
}

export interface QueryResult {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<QueryResult>;
  /** Resolves once every target has been scraped successfully. */
  waitForTargets(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Prometheus on a free loopback port with its data in a temporary folder. */
export async function startPrometheus(
  targets: ScrapeTarget[],
  binary = "prometheus",
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "imagesync-prometheus-"));
  writeFileSync(join(dir, "prometheus.yml"), prometheusConfig(targets));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const query = async (expr: string): Promise<QueryResult> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
    return (await response.json()) as QueryResult;
  };
  const until = async (check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${log}`);
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`prometheus: ${what} within ${timeoutMs} ms\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await until(async () => (await fetch(`${url}/-/ready`)).ok, "not ready", 30_000);

  return {
    url,
    query,
    async waitForTargets(count, timeoutMs = 30_000) {
      await until(
        async () => (await query("sum(up)")).data?.result[0]?.value[1] === String(count),
        `${count} targets not up`,
        timeoutMs,
      );
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
