/**
 * What the Helm chart sets for a process that a benchmark must set the same way, so that it measures the
 * process as it runs in a pod.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";

const chartDir = resolve(import.meta.dirname, "..", "charts", "imagesync");

/** The NODE_OPTIONS the chart gives a component's container (heap settings); "" when it sets none. */
export function chartNodeOptions(component: "operator" | "worker"): string {
  const template = readFileSync(resolve(chartDir, "templates", `${component}-deployment.yaml`), "utf8");
  return /- name: NODE_OPTIONS\s+value: "([^"]*)"/.exec(template)?.[1] ?? "";
}

/** The chart's default LOG_LEVEL of every process (values.yaml `logLevel`): a busy API logs each request at info. */
export function chartLogLevel(): string {
  const values = parse(readFileSync(resolve(chartDir, "values.yaml"), "utf8")) as { logLevel: string };
  return values.logLevel;
}
