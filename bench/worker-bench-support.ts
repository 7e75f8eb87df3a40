/**
 * What the worker benchmarks share: a fresh database, bucket and queue prefix on a running local stack, the
 * worker as a real, compiled child process (`node dist/worker/main.js`) whose memory is read from /proc, and clean-up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { connectDatabase, migrateToLatest, terminalFileStates, type Database } from "../lib/db/index.ts";
import {
  CredentialsStore,
  ensureTaskStream,
  ensureWorkerConsumer,
  queueTopology,
  type QueueTopology,
} from "../lib/queue/index.ts";
import { createS3Client, type S3Settings } from "../lib/storage/index.ts";
import { fileStates } from "../test/support/import-state.ts";
import { readEnvFile } from "../tools/localstack/stack.ts";
import { chartLogLevel, chartNodeOptions } from "./chart-settings.ts";
import { cpuSecondsOf, memoryBytesOf } from "./proc-figures.ts";

export const repoRoot = resolve(import.meta.dirname, "..");

const stackVariables = [
  "DATABASE_URL",
  "NATS_URL",
  "S3_ENDPOINT",
  "S3_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
];

/**
 * The local stack to run against: from an env file (`export NAME='value'` lines, as `make up` writes it) when
 * `envFile` is given, else from this process's environment (how bench/run.ts hands its stack over).
 */
export function stackEnvironment(envFile: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (envFile === undefined) {
    for (const name of stackVariables) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
  } else {
    Object.assign(env, readEnvFile(envFile));
  }
  const missing = stackVariables.filter((name) => name !== "S3_REGION" && env[name] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `no local stack: ${missing.join(", ")} not set; run under bench/run.ts, export a stack's variables, or pass --stack-env <.local/env>`,
    );
  }
  return env;
}

/** One benchmark run's own database, bucket and queue prefix. */
export interface BenchWorld {
  stackEnv: Record<string, string>;
  databaseUrl: string;
  db: Kysely<Database>;
  nc: NatsConnection;
  topology: QueueTopology;
  prefix: string;
  credentials: CredentialsStore;
  s3: S3Client;
  s3Settings: S3Settings;
  bucket: string;
  close(): Promise<void>;
}

export async function createBenchWorld(stackEnv: Record<string, string>, name: string): Promise<BenchWorld> {
  const suffix = randomBytes(3).toString("hex");
  const databaseName = `bench_${name.replaceAll("-", "_")}_${suffix}`;
  const adminUrl = new URL(stackEnv.DATABASE_URL ?? "");
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const db = connectDatabase({ url: databaseUrl.toString(), maxConnections: 4 });
  await migrateToLatest(db);

  const nc = await connect({ servers: stackEnv.NATS_URL ?? "" });
  const prefix = `bench-${name}-${suffix}`;
  const topology = queueTopology(prefix);
  const jsm = await jetstreamManager(nc);
  await ensureTaskStream(jsm, topology);
  await ensureWorkerConsumer(jsm, topology);
  const credentials = await CredentialsStore.open(nc, topology);

  const s3Settings: S3Settings = {
    endpoint: stackEnv.S3_ENDPOINT ?? "",
    region: stackEnv.S3_REGION ?? "us-east-1",
    forcePathStyle: true,
    checksums: "WHEN_SUPPORTED",
    credentials: {
      accessKeyId: stackEnv.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: stackEnv.AWS_SECRET_ACCESS_KEY ?? "",
    },
    maxSockets: 256,
  };
  const s3 = createS3Client(s3Settings);
  const bucket = prefix;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    stackEnv,
    databaseUrl: databaseUrl.toString(),
    db,
    nc,
    topology,
    prefix,
    credentials,
    s3,
    s3Settings,
    bucket,
    async close() {
      await emptyBucket(s3, bucket);
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      s3.destroy();
      await jsm.streams.delete(topology.stream).catch(() => undefined);
      await jsm.streams.delete(`${topology.stream}_DEAD_LETTERS`).catch(() => undefined);
      await nc.drain();
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: adminUrl.toString() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key ?? "" }));
    if (keys.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
}

/** The environment the worker process needs to work in `world`, with the heap settings the chart gives it. */
export function workerEnv(
  world: BenchWorld,
  driveRootUrl: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    DATABASE_URL: world.databaseUrl,
    NATS_URL: world.stackEnv.NATS_URL ?? "",
    IMAGESYNC_QUEUE_PREFIX: world.prefix,
    S3_ENDPOINT: world.s3Settings.endpoint ?? "",
    S3_REGION: world.s3Settings.region,
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: world.s3Settings.credentials?.accessKeyId ?? "",
    AWS_SECRET_ACCESS_KEY: world.s3Settings.credentials?.secretAccessKey ?? "",
    DRIVE_API_ROOT_URL: driveRootUrl,
    LOG_LEVEL: chartLogLevel(),
    NODE_OPTIONS: chartNodeOptions("worker"),
    ...extra,
  };
}

/** A process the benchmark started, with its memory as the kernel counts it. */
export interface MeasuredProcess {
  child: ChildProcess;
  /** Resident memory now (VmRSS). */
  rssBytes(): number;
  /** The most resident memory the process ever had (VmHWM). */
  peakRssBytes(): number;
  /** CPU seconds used so far (user + system). */
  cpuSeconds(): number;
  exited: Promise<number | null>;
}

/** Starts `command args` with `env` (plus PATH); everything it prints goes to our stderr, apart from the figures. */
export function startMeasuredProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
): MeasuredProcess {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", 2, 2],
  });
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  const pid = child.pid ?? 0;
  return {
    child,
    exited,
    rssBytes: () => memoryBytesOf(pid, "VmRSS"),
    peakRssBytes: () => memoryBytesOf(pid, "VmHWM"),
    cpuSeconds: () => cpuSecondsOf(pid),
  };
}

/** Polls `url` until it answers 200. */
export async function waitForHttpOk(
  url: string,
  process: MeasuredProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) throw new Error(`the process exited with ${process.child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Waits until every file of the import is terminal; returns the first and last finishing times and the states. */
export async function waitForImport(
  db: Kysely<Database>,
  importUid: string,
  total: number,
  onProgress: (done: number) => void = () => undefined,
): Promise<{ firstFinishedAt: Date; lastFinishedAt: Date; states: Record<string, number> }> {
  for (;;) {
    const done = await db
      .selectFrom("import_files")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("import_uid", "=", importUid)
      .where("state", "in", terminalFileStates)
      .executeTakeFirstOrThrow();
    onProgress(Number(done.count));
    if (Number(done.count) >= total) break;
    await sleep(250);
  }
  const span = await db
    .selectFrom("import_files")
    .select([sql<Date>`min(finished_at)`.as("first"), sql<Date>`max(finished_at)`.as("last")])
    .where("import_uid", "=", importUid)
    .executeTakeFirstOrThrow();
  return { firstFinishedAt: span.first, lastFinishedAt: span.last, states: await fileStates(db, importUid) };
}

/** The machine the figures come from. */
export function machineDescription(): string {
  const cores = cpus();
  return `${cores.length} × ${cores[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
