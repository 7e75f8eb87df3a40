/**
 * Benchmark: the operator lists a Drive folder of 100,000 files in 1,000 folders (every Drive call answered
 * after 50 ms by the fake Drive), records every file in PostgreSQL and publishes one task per file to
 * JetStream. The operator runs as its real, compiled process (`node dist/operator/main.js`, as the image
 * runs it); its peak RSS is read from /proc.
 * Targets (issue 4): ≤ 20 s from `kubectl apply` to the last task published, operator RSS ≤ 150 MB.
 * The operator runs with the NODE_OPTIONS the Helm chart gives it (read from the chart's Deployment), as
 * in production; `--node-defaults` runs it with Node's default heap settings instead, for comparison.
 * Besides time and memory it prints the operator's CPU time and its garbage collectors' pauses.
 *
 *   node bench/operator-listing.ts [--files 100000] [--folders 1000] [--latency-ms 50] [--node-defaults]
 *
 * Reads the local stack from the environment (KUBECONFIG, DATABASE_URL, NATS_URL), as `make bench` sets it;
 * or `set -a; . .local/env; set +a` after `make up`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { sql } from "kysely";
import pg from "pg";
import { parse } from "yaml";
import { connectDatabase, migrateToLatest } from "../lib/db/index.ts";
import { imageImportApi, type StoredImageImport } from "../lib/imageimport/index.ts";
import { importSubject, queueTopology } from "../lib/queue/index.ts";
import { generateTree, startFakeDrive } from "../tools/fake-drive/index.ts";
import { chartLogLevel, chartNodeOptions } from "./chart-settings.ts";
import { compiledEntry } from "./compiled-entry.ts";
import { cpuSecondsOf, memoryBytesOf } from "./proc-figures.ts";

const repoRoot = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    files: { type: "string", default: "100000" },
    folders: { type: "string", default: "1000" },
    "latency-ms": { type: "string", default: "50" },
    /** Extra node flags for the operator process (e.g. --cpu-prof). */
    "node-options": { type: "string", default: "" },
    /** Run the operator without the chart's NODE_OPTIONS. */
    "node-defaults": { type: "boolean", default: false },
  },
});
const files = Number(values.files);
const folders = Number(values.folders);
const latencyMs = Number(values["latency-ms"]);

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set: run under \`make bench\`, or source a local stack's env file first`);
  }
  return value;
}

const suffix = randomBytes(3).toString("hex");
const namespace = `bench-listing-${suffix}`;
const prefix = `benchlist-${suffix}`;
const apiKey = "bench-key";

// The world: a fake Drive, a database, a namespace, the CRD.
const drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs });
const generatedAt = Date.now();
const tree = generateTree(drive.tree, { files, size: 200_000, folders, seed: "bench" });
const generateMs = Date.now() - generatedAt;

const adminUrl = new URL(requireEnv("DATABASE_URL"));
adminUrl.pathname = "/postgres";
const admin = new pg.Client({ connectionString: adminUrl.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE bench_listing_${suffix}`);
await admin.end();
const databaseUrl = new URL(adminUrl);
databaseUrl.pathname = `/bench_listing_${suffix}`;
const db = connectDatabase({ url: databaseUrl.toString(), maxConnections: 2 });
await migrateToLatest(db);

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(requireEnv("KUBECONFIG"));
const core = kubeConfig.makeApiClient(CoreV1Api);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);
const crd = parse(
  readFileSync(resolve(repoRoot, "crds/imagesync.io_imageimports.yaml"), "utf8"),
) as V1CustomResourceDefinition;
await kubeConfig
  .makeApiClient(ApiextensionsV1Api)
  .patchCustomResourceDefinition(
    { name: crd.metadata?.name ?? "", body: crd, fieldManager: "imagesync-bench", force: true },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
await core.createNamespace({ body: { metadata: { name: namespace } } });

const nats = await connect({ servers: requireEnv("NATS_URL") });
const jsm = await jetstreamManager(nats);
const topology = queueTopology(prefix);

// The operator, as it runs in a pod.
const productionNodeOptions = values["node-defaults"] ? "" : chartNodeOptions("operator");
const nodeOptions = values["node-options"].split(" ").filter((flag) => flag !== "");
const operator = spawn(process.execPath, [...nodeOptions, compiledEntry("operator")], {
  cwd: repoRoot,
  stdio: ["ignore", "pipe", "pipe"],
  env: {
    PATH: process.env.PATH ?? "",
    NODE_OPTIONS: productionNodeOptions,
    KUBECONFIG: requireEnv("KUBECONFIG"),
    DATABASE_URL: databaseUrl.toString(),
    NATS_URL: requireEnv("NATS_URL"),
    IMAGESYNC_QUEUE_PREFIX: prefix,
    DRIVE_API_ROOT_URL: drive.rootUrl,
    DRIVE_API_KEY: apiKey,
    DEFAULT_BUCKET: "imagesync",
    WATCH_NAMESPACE: namespace,
    LEADER_ELECTION: "false",
    BIND_ADDRESS: "127.0.0.1",
    HEALTH_PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: chartLogLevel(),
  },
});
let operatorOutput = "";
operator.stdout.on("data", (chunk: Buffer) => (operatorOutput += chunk.toString()));
operator.stderr.on("data", (chunk: Buffer) => (operatorOutput += chunk.toString()));
const operatorExited = new Promise<number | null>((resolveExit) => operator.once("exit", resolveExit));

/** The operator's peak resident memory so far (VmHWM), in MB. */
function peakRssMb(): number {
  return memoryBytesOf(operator.pid ?? 0, "VmHWM") / 2 ** 20;
}

async function subjectMessages(uid: string): Promise<number> {
  const subject = importSubject(topology, uid);
  try {
    const info = await jsm.streams.info(topology.stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  } catch {
    return 0;
  }
}

/** The operator's health (and metrics) port, from its start-up log line. */
async function operatorPort(): Promise<number> {
  for (;;) {
    const match = /"ports":\{"health":(\d+)/.exec(operatorOutput);
    if (match?.[1] !== undefined) return Number(match[1]);
    if (operator.exitCode !== null) throw new Error(`the operator exited:\n${operatorOutput}`);
    await sleep(100);
  }
}

/** The operator's CPU time so far (user + system, every thread), in seconds. */
function cpuSeconds(): number {
  return cpuSecondsOf(operator.pid ?? 0);
}

interface OperatorSample {
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
  /** Time spent in garbage collection pauses so far, by kind (major, minor, incremental, weakcb), in s. */
  gc: Map<string, { seconds: number; count: number }>;
}

/** Heap, resident memory and GC pauses from the operator's own metrics (sizes in MB). */
async function operatorSample(port: number): Promise<OperatorSample> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string): number =>
    Number(new RegExp(`^${name} ([0-9.e+]+)$`, "m").exec(text)?.[1] ?? NaN) / 2 ** 20;
  const gc = new Map<string, { seconds: number; count: number }>();
  for (const [, stat, kind = "", number] of text.matchAll(
    /^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} ([0-9.e+-]+)$/gm,
  )) {
    const entry = gc.get(kind) ?? { seconds: 0, count: 0 };
    if (stat === "sum") entry.seconds = Number(number);
    else entry.count = Number(number);
    gc.set(kind, entry);
  }
  return {
    heapUsed: value("nodejs_heap_size_used_bytes"),
    heapTotal: value("nodejs_heap_size_total_bytes"),
    external: value("nodejs_external_memory_bytes"),
    rss: value("process_resident_memory_bytes"),
    gc,
  };
}

/** GC pauses between two samples, e.g. "major 3× 0.21 s, minor 410× 1.30 s". */
function gcPauses(before: OperatorSample, after: OperatorSample): string {
  return [...after.gc]
    .map(([kind, { seconds, count }]) => {
      const earlier = before.gc.get(kind) ?? { seconds: 0, count: 0 };
      return `${kind} ${count - earlier.count}× ${(seconds - earlier.seconds).toFixed(2)} s`;
    })
    .join(", ");
}

let exitCode = 0;
try {
  const port = await operatorPort();
  await sleep(1_000); // the operator syncs its cache
  const { group, version, plural, apiVersion, kind } = imageImportApi;
  const idle = await operatorSample(port);
  const idleCpu = cpuSeconds();
  const loadBefore = loadavg();
  const startedAt = Date.now();
  const created = (await custom.createNamespacedCustomObject({
    group,
    version,
    plural,
    namespace,
    body: {
      apiVersion,
      kind,
      metadata: { name: "bench" },
      spec: {
        source: { googleDrive: { folderUrl: drive.folderUrl(tree.rootId) } },
        // The whole folder may be queued at once: this measures listing and publishing, not the window.
        parallelism: 100_000,
      },
    },
  })) as StoredImageImport;
  const uid = created.metadata.uid;

  let listedMs: number | undefined;
  let publishedMs: number | undefined;
  let statusMs: number | undefined;
  const limitMs = 300_000;
  const memory: string[] = [];
  let lastSample = 0;
  while (publishedMs === undefined || statusMs === undefined) {
    if (Date.now() - lastSample >= 2_000) {
      lastSample = Date.now();
      const m = await operatorSample(port);
      memory.push(
        `  ${((lastSample - startedAt) / 1000).toFixed(0).padStart(4)} s  heap ${m.heapUsed.toFixed(0)}/${m.heapTotal.toFixed(0)} MB  external ${m.external.toFixed(0)} MB  rss ${m.rss.toFixed(0)} MB  cpu ${(cpuSeconds() - idleCpu).toFixed(1)} s`,
      );
    }
    if (Date.now() - startedAt > limitMs) throw new Error(`not done after ${limitMs / 1000} s`);
    if (operator.exitCode !== null) throw new Error(`the operator exited:\n${operatorOutput}`);
    const row = await db
      .selectFrom("imports")
      .select("listing_completed_at")
      .where("uid", "=", uid)
      .executeTakeFirst();
    if (listedMs === undefined && row?.listing_completed_at != null) listedMs = Date.now() - startedAt;
    if (publishedMs === undefined && listedMs !== undefined) {
      const queued = await db
        .selectFrom("import_files")
        .select(sql<string>`count(*)`.as("files"))
        .where("import_uid", "=", uid)
        .where("state", "=", "queued")
        .executeTakeFirstOrThrow();
      if (Number(queued.files) === tree.counts.images) publishedMs = Date.now() - startedAt;
    }
    if (publishedMs !== undefined && statusMs === undefined) {
      const object = (await custom.getNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
        name: "bench",
      })) as StoredImageImport;
      if (
        object.status?.progress?.queued === tree.counts.images &&
        object.status.listing?.complete === true
      ) {
        statusMs = Date.now() - startedAt;
      }
    }
    await sleep(100);
  }
  const busyCpu = cpuSeconds() - idleCpu;
  const done = await operatorSample(port);
  const loadAfter = loadavg();
  const inStream = await subjectMessages(uid);
  const driveStats = drive.stats.snapshot();
  const seconds = (ms: number | undefined): string => ((ms ?? NaN) / 1000).toFixed(1);
  const rss = peakRssMb();
  console.log(
    [
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
      `machine load (1-minute average) before ${loadBefore[0]?.toFixed(1)}, after ${loadAfter[0]?.toFixed(1)}`,
      `operator: dist/operator/main.js (the compiled build); NODE_OPTIONS="${productionNodeOptions}"${productionNodeOptions === "" ? " (Node's defaults)" : " (the Helm chart's)"}${nodeOptions.length > 0 ? `, plus ${nodeOptions.join(" ")}` : ""}`,
      `folder: ${files} files (${tree.counts.images} images) in ${folders} folders, Drive latency ${latencyMs} ms per call (tree generated in ${generateMs} ms)`,
      `listing complete (every file recorded): ${seconds(listedMs)} s`,
      `every task published and its row queued: ${seconds(publishedMs)} s   (target ≤ 20 s)`,
      `status shows listing complete and every file queued: ${seconds(statusMs)} s`,
      `tasks in the stream: ${inStream}`,
      `Drive requests: ${driveStats.requests} (list ${driveStats.byRoute.list}, get ${driveStats.byRoute.get})`,
      `operator peak RSS: ${rss.toFixed(0)} MB   (target ≤ 150 MB); idle before the import: ${idle.rss.toFixed(0)} MB`,
      `operator CPU from create to every task published: ${busyCpu.toFixed(1)} s; GC pauses: ${gcPauses(idle, done)}`,
      `operator memory every 2 s (heap used/total, external, rss):`,
      ...memory,
    ].join("\n"),
  );
  if (inStream !== tree.counts.images)
    throw new Error(`expected ${tree.counts.images} tasks in the stream, found ${inStream}`);
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  // The finalizer purges the 100,000 tasks; then the operator goes and the rest is removed.
  await custom
    .deleteNamespacedCustomObject({ ...imageImportApi, namespace, name: "bench" })
    .catch(() => undefined);
  await sleep(2_000);
  operator.kill("SIGTERM");
  await operatorExited;
  await jsm.streams.delete(topology.stream).catch(() => undefined);
  await nats.drain();
  await db.destroy();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  await drive.close();
}
process.exit(exitCode);
