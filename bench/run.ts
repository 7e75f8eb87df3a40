/**
 * `make bench`: runs every benchmark in one go against a local stack of its own and prints, then saves
 * under bench/results/, the figures with the machine and settings they were measured on.
 *
 *   node bench/run.ts [name ...]      names: see `benchmarks` below (default: all)
 */
import { execFileSync, spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { stackLayout } from "../tools/localstack/layout.ts";
import { downStack, upStack } from "../tools/localstack/stack.ts";

/** Each benchmark is a script that reads the stack from the environment and prints its figures. */
const benchmarks: Record<string, string> = {
  "operator-listing": "bench/operator-listing.ts",
  "worker-throughput": "bench/worker-throughput.ts",
  "worker-large-file": "bench/worker-large-file.ts",
  "api-images": "bench/api-images.ts",
  "end-to-end": "bench/end-to-end.ts",
};

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  const versions = readFileSync("hack/versions.env", "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .join(", ");
  const kernel = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${kernel}, node ${process.version}`,
    `tools: ${versions}`,
  ].join("\n");
}

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ output: string; code: number | null }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on("exit", (code) => resolvePromise({ output, code }));
  });
}

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}
const names = selected.length > 0 ? selected : Object.keys(benchmarks);

const layout = stackLayout(
  resolve(process.env.IMAGESYNC_BENCH_DIR ?? ".local/bench"),
  resolve(process.env.IMAGESYNC_BIN_DIR ?? ".local/bin"),
  Number(process.env.IMAGESYNC_BENCH_PORT_BASE ?? "17500"),
);
const header = machine();
console.log(header);
const stackEnv = await upStack(layout);
const sections = [`# ImageSync benchmarks\n\n\`\`\`\n${header}\n\`\`\``];
let failed = 0;
try {
  for (const name of names) {
    console.log(`\n== ${name} ==`);
    const { output, code } = await run(benchmarks[name] ?? "", { ...process.env, ...stackEnv });
    if (code !== 0) failed++;
    sections.push(
      `## ${name}${code === 0 ? "" : ` (exited ${code})`}\n\n\`\`\`\n${output.trimEnd()}\n\`\`\``,
    );
  }
} finally {
  await downStack(layout);
}
mkdirSync("bench/results", { recursive: true });
// Date and UTC time (2026-11-26-0540): a second run on one day must not replace the first.
const stamp = new Date().toISOString().slice(0, 16).replace("T", "-").replace(":", "");
const file = `bench/results/${stamp}${selected.length > 0 ? `-${names.join("-")}` : ""}.md`;
writeFileSync(file, `${sections.join("\n\n")}\n`);
console.log(`\nsaved ${file}`);
process.exit(failed === 0 ? 0 : 1);
