import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * The compiled entry point of a process (`make build`), which is what the image runs: the benchmarks
 * measure what ships, without the memory Node's type stripping would add to each process.
 */
export function compiledEntry(component: "operator" | "worker" | "api"): string {
  const entry = resolve(import.meta.dirname, "..", "dist", component, "main.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`make build\` first (make bench does)`);
  return entry;
}
