/**
 * Worker throughput: N small images from the fake Drive (with first-byte latency) into the local S3 server,
 * one worker process; beside it, in the same run, a raw S3 PUT loop at the same concurrency (the ceiling)
 * and rclone copying the same files over HTTP to the same S3 (when /usr/bin/rclone exists).
 *
 *   node bench/worker-throughput.ts [--stack-env .local/env] [--files 10000] [--size 200000]
 *                                   [--latency-ms 100] [--concurrency 64]
 *
 * Runs against the local stack bench/run.ts (`make bench`) hands over in the environment, or the one an env
 * file describes (`--stack-env .local/env` after `make up`).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { generateTree, startFakeDrive, type FakeDrive } from "../tools/fake-drive/index.ts";
import { freePort } from "../test/support/free-port.ts";
import { publishImport, testApiKey } from "../test/worker/publish-import.ts";
import {
  createBenchWorld,
  machineDescription,
  mib,
  stackEnvironment,
  startMeasuredProcess,
  waitForHttpOk,
  waitForImport,
  workerEnv,
  type BenchWorld,
} from "./worker-bench-support.ts";
import { chartNodeOptions } from "./chart-settings.ts";
import { compiledEntry } from "./compiled-entry.ts";
import { startCpuBudget, transferServers, type CpuSpent } from "./cpu-budget.ts";

const { values } = parseArgs({
  options: {
    "stack-env": { type: "string" },
    files: { type: "string", default: "10000" },
    size: { type: "string", default: "200000" },
    "latency-ms": { type: "string", default: "100" },
    concurrency: { type: "string", default: "64" },
    // Node flags for the worker on top of the chart's NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
    "worker-node-options": { type: "string", default: "" },
    // Run the worker without the chart's NODE_OPTIONS.
    "node-defaults": { type: "boolean", default: false },
    // The worker's S3_CHECKSUMS (default: the worker's own default, WHEN_SUPPORTED).
    "s3-checksums": { type: "string" },
    // Only the worker: no raw PUT loop, no rclone (for comparing worker settings).
    "worker-only": { type: "boolean", default: false },
  },
});
const files = Number(values.files);
const size = Number(values.size);
const latencyMs = Number(values["latency-ms"]);
const concurrency = Number(values.concurrency);
const workerNodeOptions = [
  values["node-defaults"] ? "" : chartNodeOptions("worker"),
  values["worker-node-options"],
]
  .filter((flags) => flags !== "")
  .join(" ");
const metricsPort = await freePort();
const rclonePath = "/usr/bin/rclone";

interface Figures {
  name: string;
  seconds: number;
  peakRssBytes?: number;
  cpuSeconds?: number;
  /** The CPU every process of the run spent, by part (see `parts`). */
  cpu: CpuSpent;
}

// The parts of a run's CPU budget besides the stack's servers.
const parts = { client: "client", source: "fake Drive" };

const stackEnv = stackEnvironment(values["stack-env"]);
const drive = await startFakeDrive({ apiKeys: [testApiKey], latencyMs });
const tree = generateTree(drive.tree, { files, size, folders: 20, seed: "bench" });
const world = await createBenchWorld(stackEnv, "throughput");
const servers = transferServers(stackEnv);
const results: Figures[] = [];
try {
  const publishStarted = performance.now();
  const published = await publishImport({ ...world, drive }, tree.rootId);
  console.error(
    `published ${published.tasks.length} tasks in ${((performance.now() - publishStarted) / 1000).toFixed(1)} s`,
  );

  results.push(await runWorker(world, drive, published.importUid, published.tasks.length));
  if (!values["worker-only"]) {
    results.push(await rawPutLoop(world));
    if (existsSync(rclonePath))
      results.push(
        await runRclone(
          world,
          drive,
          published.tasks.map((task) => task.fileId),
        ),
      );
    else console.error(`${rclonePath} not found: rclone skipped (Debian: apt-get install rclone)`);
  }
} finally {
  await world.close();
  await drive.close();
}
report(results);

async function runWorker(
  benchWorld: BenchWorld,
  fake: FakeDrive,
  importUid: string,
  total: number,
): Promise<Figures> {
  const startedAt = Date.now();
  const budget = startCpuBudget(servers, parts.source);
  const worker = startMeasuredProcess(
    process.execPath,
    [compiledEntry("worker")],
    workerEnv(benchWorld, fake.rootUrl, {
      WORKER_CONCURRENCY: String(concurrency),
      // The fake Drive has no quota: pacing must not be what is measured.
      DRIVE_REQUESTS_PER_SECOND: "100000",
      DRIVE_BURST: "100000",
      METRICS_PORT: String(metricsPort),
      DATABASE_MAX_CONNECTIONS: String(Math.ceil(concurrency / 2)),
      NODE_OPTIONS: workerNodeOptions,
      ...(values["s3-checksums"] === undefined ? {} : { S3_CHECKSUMS: values["s3-checksums"] }),
    }),
  );
  await waitForHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, worker);
  const { firstFinishedAt, lastFinishedAt, states } = await waitForImport(
    benchWorld.db,
    importUid,
    total,
    (done) => process.stderr.write(`\rworker: ${done}/${total} files`),
  );
  process.stderr.write("\n");
  const figures: Figures = {
    name: `worker (${concurrency} in flight)`,
    // From process start (connecting, migrating, first pull included) to the last file recorded.
    seconds: (lastFinishedAt.getTime() - startedAt) / 1000,
    peakRssBytes: worker.peakRssBytes(),
    cpuSeconds: worker.cpuSeconds(),
    cpu: budget({ [parts.client]: worker.cpuSeconds() }),
  };
  console.error(
    `worker states: ${JSON.stringify(states)}; steady state ${((total - 1) / ((lastFinishedAt.getTime() - firstFinishedAt.getTime()) / 1000)).toFixed(0)} files/s`,
  );
  console.error(`worker stage means: ${await stageMeans(metricsPort)}`);
  worker.child.kill("SIGTERM");
  await worker.exited;
  return figures;
}

/** Mean seconds per file of each stage, from the worker's own histogram. */
async function stageMeans(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sample = (name: string, stage: string): number =>
    Number(new RegExp(`^${name}\\{stage="${stage}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return ["download_first_byte", "transfer", "record"]
    .map((stage) => {
      const mean =
        sample("imagesync_worker_stage_duration_seconds_sum", stage) /
        sample("imagesync_worker_stage_duration_seconds_count", stage);
      return `${stage} ${(mean * 1000).toFixed(0)} ms`;
    })
    .join(", ");
}

/** The ceiling: PUTs of the same number and size of objects at the same concurrency, from memory, no Drive. */
async function rawPutLoop(benchWorld: BenchWorld): Promise<Figures> {
  const body = Buffer.alloc(size, 7);
  let next = 0;
  const startedAt = performance.now();
  const budget = startCpuBudget(servers, parts.client);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < files; index = next++) {
        await benchWorld.s3.send(
          new PutObjectCommand({
            Bucket: benchWorld.bucket,
            Key: `raw/${index}.bin`,
            Body: body,
            ContentType: "image/jpeg",
          }),
        );
      }
    }),
  );
  const cpu = budget({});
  return {
    name: `raw S3 PUT loop (${concurrency} in flight)`,
    seconds: (performance.now() - startedAt) / 1000,
    cpuSeconds: cpu.get(parts.client),
    cpu,
  };
}

/**
 * rclone copying the same files: its http backend reads an index page whose links answer HEAD with the size
 * and GET with a redirect to the fake Drive's download URL, so every byte still comes from the fake Drive.
 */
async function runRclone(benchWorld: BenchWorld, fake: FakeDrive, fileIds: string[]): Promise<Figures> {
  const index = await serveIndex(fake, fileIds);
  const indexUrl = `http://127.0.0.1:${(index.address() as AddressInfo).port}/`;
  const version = spawnSync(rclonePath, ["version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "rclone";
  const s3 = benchWorld.s3Settings;
  const startedAt = performance.now();
  const budget = startCpuBudget(servers, parts.source);
  const rclone = startMeasuredProcess(
    rclonePath,
    [
      "copy",
      "src:",
      `dst:${benchWorld.bucket}/rclone`,
      `--transfers=${concurrency}`,
      `--checkers=${concurrency}`,
      "--no-check-dest",
      "--s3-no-check-bucket",
      "--stats=0",
      "--log-level=ERROR",
    ],
    {
      RCLONE_CONFIG_SRC_TYPE: "http",
      RCLONE_CONFIG_SRC_URL: indexUrl,
      RCLONE_CONFIG_DST_TYPE: "s3",
      RCLONE_CONFIG_DST_PROVIDER: "Other",
      RCLONE_CONFIG_DST_ENDPOINT: s3.endpoint ?? "",
      RCLONE_CONFIG_DST_REGION: s3.region,
      RCLONE_CONFIG_DST_FORCE_PATH_STYLE: "true",
      RCLONE_CONFIG_DST_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? "",
      RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? "",
    },
  );
  let peakRssBytes = 0;
  let cpuSeconds = 0;
  const sampler = setInterval(() => {
    try {
      peakRssBytes = Math.max(peakRssBytes, rclone.peakRssBytes());
      cpuSeconds = rclone.cpuSeconds();
    } catch {
      // exited between the check and the read
    }
  }, 100);
  const code = await rclone.exited;
  clearInterval(sampler);
  index.close();
  if (code !== 0) throw new Error(`rclone exited with ${code}`);
  return {
    name: `${version} (${concurrency} transfers)`,
    seconds: (performance.now() - startedAt) / 1000,
    peakRssBytes,
    cpuSeconds,
    cpu: budget({ [parts.client]: cpuSeconds }),
  };
}

function serveIndex(fake: FakeDrive, fileIds: string[]): Promise<Server> {
  const links = fileIds.map((id) => `<a href="${id}.jpg">${id}.jpg</a>`).join("\n");
  const page = `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://index").pathname;
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      return;
    }
    const id = path.slice(1).replace(/\.jpg$/, "");
    if (request.method === "HEAD") {
      response.writeHead(200, { "content-length": String(size), "content-type": "image/jpeg" }).end();
      return;
    }
    response
      .writeHead(302, { location: `${fake.url}/drive/v3/files/${id}?alt=media&key=${testApiKey}` })
      .end();
  });
  return new Promise((resolveServer) => server.listen(0, "127.0.0.1", () => resolveServer(server)));
}

function report(figures: Figures[]): void {
  const megabytes = (files * size) / 1e6;
  const ceiling = figures.find((figure) => figure.name.startsWith("raw"));
  const worker = figures[0];
  console.log(
    `\nworker throughput: ${files} files × ${size} B from the fake Drive (${latencyMs} ms first byte) into the local S3 server`,
  );
  console.log(`machine: ${machineDescription()}`);
  console.log(`worker NODE_OPTIONS: "${workerNodeOptions}"\n`);
  console.log("| run | seconds | files/s | MB/s | peak RSS | CPU s |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const figure of figures) {
    console.log(
      `| ${figure.name} | ${figure.seconds.toFixed(1)} | ${(files / figure.seconds).toFixed(0)} | ${(megabytes / figure.seconds).toFixed(1)} | ${figure.peakRssBytes === undefined ? "-" : mib(figure.peakRssBytes)} | ${figure.cpuSeconds?.toFixed(1) ?? "-"} |`,
    );
  }
  if (worker !== undefined && ceiling !== undefined) {
    console.log(`\nworker / raw PUT ceiling: ${(ceiling.seconds / worker.seconds).toFixed(2)}×`);
  }
  const rclone = figures.find((figure) => figure.name.startsWith("rclone"));
  if (worker !== undefined && rclone !== undefined) {
    console.log(`worker / rclone: ${(rclone.seconds / worker.seconds).toFixed(2)}×`);
  }
  reportCpuBudget(figures);
}

/**
 * Each run's CPU per file, every process of it counted, and the files/s that much CPU allows on this
 * machine's cores when the processes share them: what bounds a run, whatever its client.
 */
function reportCpuBudget(figures: Figures[]): void {
  const cores = availableParallelism();
  const columns = [...new Set(figures.flatMap((figure) => [...figure.cpu.keys()]))];
  const perFile = (seconds: number | undefined): string =>
    seconds === undefined ? "-" : ((seconds * 1000) / files).toFixed(2);
  console.log(`\nCPU ms per file, by process (${cores} cores shared by all of them):\n`);
  console.log(`| run | ${columns.join(" | ")} | all | files/s ${cores} cores allow |`);
  console.log(`| --- |${" ---: |".repeat(columns.length + 2)}`);
  for (const figure of figures) {
    const all = [...figure.cpu.values()].reduce((sum, seconds) => sum + seconds, 0);
    const cells = columns.map((column) => perFile(figure.cpu.get(column)));
    console.log(
      `| ${figure.name} | ${cells.join(" | ")} | ${perFile(all)} | ${((cores * files) / all).toFixed(0)} |`,
    );
  }
}
