import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * The NODE_OPTIONS the Helm chart gives a component's container, so that a benchmark runs the process
 * with the heap settings it has in a pod; "" when the chart sets none.
 */
export function chartNodeOptions(component: "operator" | "worker"): string {
  const template = readFileSync(
    resolve(import.meta.dirname, "..", "charts", "imagesync", "templates", `${component}-deployment.yaml`),
    "utf8",
  );
  return /- name: NODE_OPTIONS\s+value: "([^"]*)"/.exec(template)?.[1] ?? "";
}
