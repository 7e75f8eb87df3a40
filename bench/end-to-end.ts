/**
 * The headline benchmark: from creating an ImageImport (as kubectl apply does) to its Succeeded condition,
 * through the real operator and worker processes, the fake Drive and the local S3 server. Then scale-out
 * (1 → 2 → 4 workers against a latency-bound Drive) and pacing against a Drive that enforces a per-key quota.
 *
 *   node bench/end-to-end.ts [--files 10000] [--size 200000] [--latency-ms 100] [--concurrency 64]
 *                            [--scale-files 2000] [--quota 20] [--quota-seconds 60]
 *                            [--parts headline,scale-out,pacing]
 *
 * Reads the stack from the environment (bench/run.ts hands its own over) or --stack-env .local/env.
 */
import { parseArgs } from "node:util";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { imageImportApi, type ImageImport } from "../lib/imageimport/index.ts";
import { generateTree, startFakeDrive, type FakeDrive } from "../tools/fake-drive/index.ts";
import { installImageImportApi } from "../tools/localstack/image-import-api.ts";
import { freePort } from "../test/support/free-port.ts";
import { chartNodeOptions } from "./chart-settings.ts";
import { compiledEntry } from "./compiled-entry.ts";
import {
  createBenchWorld,
  machineDescription,
  mib,
  stackEnvironment,
  startMeasuredProcess,
  waitForHttpOk,
  workerEnv,
  type BenchWorld,
  type MeasuredProcess,
} from "./worker-bench-support.ts";

const { values } = parseArgs({
  options: {
    "stack-env": { type: "string" },
    files: { type: "string", default: "10000" },
    size: { type: "string", default: "200000" },
    "latency-ms": { type: "string", default: "100" },
    concurrency: { type: "string", default: "64" },
    "scale-files": { type: "string", default: "2000" },
    quota: { type: "string", default: "20" },
    "quota-seconds": { type: "string", default: "60" },
    parts: { type: "string", default: "headline,scale-out,pacing" },
  },
});
const apiKey = "bench-key";
const stackEnv = stackEnvironment(values["stack-env"]);
const kubeconfig = stackEnv.KUBECONFIG ?? process.env.KUBECONFIG ?? "";
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
await installImageImportApi(kc);

interface Run {
  seconds: number;
  files: number;
  bytes: number;
  operatorPeakRss: number;
  workerPeakRss: number[];
  status: ImageImport["status"];
}

/** One import of `folderUrl` by one operator and `workers` workers, timed from create to Succeeded. */
async function importOnce(
  drive: FakeDrive,
  folderUrl: string,
  options: { name: string; workers: number; concurrency: number; driveRate: number; driveBurst?: number },
): Promise<Run> {
  const world: BenchWorld = await createBenchWorld(stackEnv, options.name);
  const namespace = world.prefix;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const common = workerEnv(world, drive.rootUrl, {
    DRIVE_API_KEY: apiKey,
    DRIVE_REQUESTS_PER_SECOND: String(options.driveRate),
    DRIVE_BURST: String(options.driveBurst ?? Math.max(1, Math.ceil(options.driveRate))),
    DEFAULT_BUCKET: world.bucket,
    KUBECONFIG: kubeconfig,
  });
  const processes: MeasuredProcess[] = [];
  try {
    const operatorPort = await freePort();
    const operator = startMeasuredProcess(process.execPath, [compiledEntry("operator")], {
      ...common,
      NODE_OPTIONS: chartNodeOptions("operator"),
      WATCH_NAMESPACE: namespace,
      LEADER_ELECTION_NAMESPACE: namespace,
      METRICS_PORT: String(operatorPort),
      HEALTH_PORT: String(operatorPort),
    });
    processes.push(operator);
    await waitForHttpOk(`http://127.0.0.1:${operatorPort}/healthz`, operator);
    const workers: MeasuredProcess[] = [];
    for (let i = 0; i < options.workers; i++) {
      const port = await freePort();
      const worker = startMeasuredProcess(process.execPath, [compiledEntry("worker")], {
        ...common,
        METRICS_PORT: String(port),
        WORKER_CONCURRENCY: String(options.concurrency),
      });
      processes.push(worker);
      workers.push(worker);
      await waitForHttpOk(`http://127.0.0.1:${port}/readyz`, worker);
    }
    const objects = kc.makeApiClient(CustomObjectsApi);
    const started = performance.now();
    await objects.createNamespacedCustomObject({
      ...imageImportApi,
      namespace,
      body: {
        apiVersion: imageImportApi.apiVersion,
        kind: imageImportApi.kind,
        metadata: { name: options.name },
        spec: { source: { googleDrive: { folderUrl } }, parallelism: 100_000 },
      },
    });
    let current: ImageImport;
    for (;;) {
      current = (await objects.getNamespacedCustomObject({
        ...imageImportApi,
        namespace,
        name: options.name,
      })) as ImageImport;
      const summary = current.status?.conditions?.find((c) => c.type === "Succeeded");
      if (summary !== undefined && summary.status !== "Unknown") break;
      // Every poll costs the client, the API server and etcd CPU the import is measured on: poll once a
      // second until the last few files, then every 100 ms for the finish time.
      const { total = 0, succeeded = 0 } = current.status?.progress ?? {};
      const nearlyDone = total > 0 && succeeded >= total * 0.97;
      await new Promise((resolve) => setTimeout(resolve, nearlyDone ? 100 : 1_000));
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      files: current.status?.progress?.succeeded ?? 0,
      bytes: current.status?.progress?.bytesStored ?? 0,
      operatorPeakRss: operator.peakRssBytes(),
      workerPeakRss: workers.map((w) => w.peakRssBytes()),
      status: current.status,
    };
  } finally {
    for (const p of processes) p.child.kill("SIGTERM");
    await Promise.all(processes.map((p) => p.exited));
    await world.close();
  }
}

function report(label: string, run: Run): void {
  const mb = run.bytes / 1e6;
  console.log(
    `${label}: ${run.files} files, ${mb.toFixed(0)} MB in ${run.seconds.toFixed(1)} s = ` +
      `${(run.files / run.seconds).toFixed(1)} files/s, ${(mb / run.seconds).toFixed(1)} MB/s; ` +
      `peak RSS operator ${mib(run.operatorPeakRss)}, worker ${run.workerPeakRss.map(mib).join(" / ")}`,
  );
}

console.log(`machine: ${machineDescription()}`);
console.log(
  `NODE_OPTIONS (the Helm chart's): operator "${chartNodeOptions("operator")}", worker "${chartNodeOptions("worker")}"`,
);
const files = Number(values.files);
const size = Number(values.size);
const latencyMs = Number(values["latency-ms"]);
const concurrency = Number(values.concurrency);
const parts = new Set(values.parts.split(","));

// 1. The headline: one worker, Drive answering after 100 ms.
if (parts.has("headline")) {
  const drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs });
  const tree = generateTree(drive.tree, { files, size, folders: 20, seed: "e2e-headline" });
  console.log(
    `\nheadline: ${files} × ${size} B, ${latencyMs} ms first byte, 1 worker × ${concurrency} in flight`,
  );
  const run = await importOnce(drive, drive.folderUrl(tree.rootId), {
    name: "headline",
    workers: 1,
    concurrency,
    driveRate: 1000,
  });
  report("kubectl apply → Succeeded", run);
  console.log(
    `target ≤ 60 s: ${run.seconds <= 60 ? "met" : "not met"} (compare worker-throughput's ceiling and rclone above)`,
  );
  await drive.close();
}

// 2. Scale-out: a latency-bound Drive (300 ms), 8 files in flight per worker.
if (parts.has("scale-out")) {
  const scaleFiles = Number(values["scale-files"]);
  const drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs: 300 });
  const tree = generateTree(drive.tree, { files: scaleFiles, size: 50_000, folders: 10, seed: "e2e-scale" });
  console.log(`\nscale-out: ${scaleFiles} × 50 kB, 300 ms first byte, 8 in flight per worker`);
  let base = 0;
  for (const workers of [1, 2, 4]) {
    const run = await importOnce(drive, drive.folderUrl(tree.rootId), {
      name: `scale-${workers}`,
      workers,
      concurrency: 8,
      driveRate: 1000,
    });
    const rate = run.files / run.seconds;
    base ||= rate;
    report(`${workers} worker(s)`, run);
    console.log(`  speed-up over 1 worker: ${(rate / base).toFixed(2)}×`);
  }
  await drive.close();
}

// 3. Pacing: Drive admits R requests/s per key and answers 403 userRateLimitExceeded beyond; our pacer
// starts at twice R and must settle just under it. The import is long enough (quota-seconds at R) for the
// steady state, not the first discovery of the limit, to dominate.
if (parts.has("pacing")) {
  const quota = Number(values.quota);
  const drive = await startFakeDrive({
    apiKeys: [apiKey],
    rateLimit: { requestsPerSecond: quota, burst: quota },
  });
  const files = quota * Number(values["quota-seconds"]);
  const tree = generateTree(drive.tree, { files, size: 5_000, folders: 5, seed: "e2e-pacing" });
  const driveBurst = Math.ceil(quota / 2);
  console.log(
    `\npacing: Drive quota ${quota} req/s per key (burst ${quota}); pacer ceiling ${quota * 2} req/s, ` +
      `burst ${driveBurst}; 1 worker`,
  );
  const run = await importOnce(drive, drive.folderUrl(tree.rootId), {
    name: "pacing",
    workers: 1,
    concurrency: 16,
    driveRate: quota * 2,
    driveBurst,
  });
  const stats = drive.stats.snapshot();
  const admittedRate = stats.admitted / run.seconds;
  const rejectedShare = stats.rejectedByRateLimit / Math.max(1, stats.requests);
  report("paced import", run);
  console.log(
    `admitted ${admittedRate.toFixed(1)} req/s = ${(admittedRate / quota).toFixed(2)} × quota ` +
      `(over the whole import, operator start and listing included); ` +
      `rejected ${stats.rejectedByRateLimit} = ${(rejectedShare * 100).toFixed(2)} % of ${stats.requests} requests ` +
      `(target ≥ 0.9 × quota, < 1 %)`,
  );
  await drive.close();
}
process.exit(0);
