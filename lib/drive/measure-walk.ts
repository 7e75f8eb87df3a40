/**
 * Measures walkFolder on a generated tree behind the fake Drive (run in a child process so its 100,000
 * items do not count in our memory): wall time, Drive calls, and this process's peak heap and RSS.
 * Not a test; figures go to the report.
 *
 *   node --expose-gc lib/drive/measure-walk.ts [--files 100000] [--folders 1000] [--depth 1]
 *     [--latency-ms 50] [--batch-size 50] [--rate 10]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { availableParallelism, cpus } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { DriveClients } from "./client.ts";
import { walkFolder } from "./walk.ts";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "100000" },
    folders: { type: "string", default: "1000" },
    depth: { type: "string", default: "1" },
    "latency-ms": { type: "string", default: "50" },
    "batch-size": { type: "string", default: "50" },
    rate: { type: "string", default: "10" },
  },
});

const apiKey = "measure-walk-key";
const fakeCli = new URL("../../tools/fake-drive/cli.ts", import.meta.url).pathname;
const fake = spawn(
  process.execPath,
  [
    fakeCli,
    `--api-key=${apiKey}`,
    `--generate=${values.files}`,
    `--folders=${values.folders}`,
    `--depth=${values.depth}`,
    "--size=50KB",
    `--latency-ms=${values["latency-ms"]}`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const [line] = (await once(createInterface({ input: fake.stdout }), "line")) as [string];
const { rootUrl, folders } = JSON.parse(line) as { rootUrl: string; folders: { id: string }[] };

const calls = { list: 0, get: 0, retries: 0 };
const clients = new DriveClients({
  rootUrl,
  pacing: { ratePerSecond: Number(values.rate) },
  hooks: {
    onAttempt: (operation) => (operation === "files.list" ? calls.list++ : calls.get++),
    onRetry: () => calls.retries++,
  },
});
const drive = clients.forApiKey(apiKey);

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const baseline = process.memoryUsage();
const peak = { heapUsed: baseline.heapUsed, rss: baseline.rss };
const sampler = setInterval(() => {
  const now = process.memoryUsage();
  peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
  peak.rss = Math.max(peak.rss, now.rss);
}, 20);
// What the walk keeps alive (not garbage awaiting collection): the heap after a full GC every 10,000 files.
const retainedAfterGc: string[] = [];

const started = performance.now();
const cpuBefore = process.cpuUsage();
const counts = { files: 0, folders: 0, dangling: 0 };
const walk = walkFolder(drive, { id: folders[0]!.id }, { batchSize: Number(values["batch-size"]) });
for await (const event of walk) {
  if (event.kind === "file") {
    if (++counts.files % 10_000 === 0 && gc !== undefined) {
      gc();
      retainedAfterGc.push(mib(process.memoryUsage().heapUsed - baseline.heapUsed));
    }
  } else if (event.kind === "folder-listed") counts.folders = event.foldersListed;
  else counts.dangling++;
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
clients.close();
fake.kill("SIGTERM");

console.log(
  JSON.stringify(
    {
      machine: `${availableParallelism()} cores, ${cpus()[0]?.model ?? "unknown CPU"}, node ${process.version}`,
      settings: values,
      walked: counts,
      driveCalls: calls,
      seconds: Number(seconds.toFixed(2)),
      filesPerSecond: Math.round(counts.files / seconds),
      walkerCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      heapUsed: {
        baseline: mib(baseline.heapUsed),
        peak: mib(peak.heapUsed),
        retainedAfterGc,
      },
      rss: { baseline: mib(baseline.rss), peak: mib(peak.rss) },
    },
    null,
    2,
  ),
);
