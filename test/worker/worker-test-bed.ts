import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Kysely } from "kysely";
import { Registry } from "prom-client";
import { systemClock } from "../../lib/controller-runtime/clock.ts";
import { metricValue } from "../../lib/controller-runtime/testing.ts";
import { connectDatabase, migrateToLatest, type Database, type ImportFileRow } from "../../lib/db/index.ts";
import { createLogger, type LogLevel } from "../../lib/log/index.ts";
import {
  CredentialsStore,
  ensureTaskStream,
  ensureWorkerConsumer,
  queueTopology,
  type QueueTopology,
  type WorkerConsumerOptions,
} from "../../lib/queue/index.ts";
import { createS3Client, type S3Settings } from "../../lib/storage/index.ts";
import { startFakeDrive, type FakeDrive, type FakeDriveOptions } from "../../tools/fake-drive/index.ts";
import type { PipelineSettings } from "../../worker/config.ts";
import { startWorker, type RunningWorker } from "../../worker/worker.ts";
import { eventually } from "../support/eventually.ts";
import { createDatabase, requireEnv, uniqueName } from "../support/stack.ts";
import { testApiKey } from "./publish-import.ts";

export { publishImport, publishTask, type PublishedImport } from "./publish-import.ts";

// Silent unless IMAGESYNC_TEST_LOG_LEVEL asks for the worker's lines (debugging a failing test).
const testLogger = createLogger("worker", (process.env.IMAGESYNC_TEST_LOG_LEVEL ?? "silent") as LogLevel);

/**
 * One test file's world: its own database, bucket, queue prefix and fake Drive, on the shared local stack.
 * Tasks are published the way the operator publishes them: rows first known to PostgreSQL, then one
 * message per file with its dedup id.
 */
export interface WorkerTestBed {
  db: Kysely<Database>;
  databaseUrl: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  s3: S3Client;
  s3Settings: S3Settings;
  bucket: string;
  topology: QueueTopology;
  prefix: string;
  drive: FakeDrive;
  credentials: CredentialsStore;
  close(): Promise<void>;
}

export interface TestBedOptions {
  /** The shared consumer's settings; short ack waits make redelivery tests quick. */
  consumer?: Partial<WorkerConsumerOptions>;
  fakeDrive?: Partial<FakeDriveOptions>;
  checksums?: S3Settings["checksums"];
}

export async function createWorkerTestBed(options: TestBedOptions = {}): Promise<WorkerTestBed> {
  const databaseUrl = await createDatabase("worker");
  const db = connectDatabase({ url: databaseUrl, maxConnections: 20 });
  await migrateToLatest(db);
  const nc = await connect({ servers: requireEnv("NATS_URL") });
  const jsm = await jetstreamManager(nc);
  const prefix = uniqueName("wk");
  const topology = queueTopology(prefix);
  await ensureTaskStream(jsm, topology);
  await ensureWorkerConsumer(jsm, topology, {
    ackWaitMs: 5_000,
    maxDeliver: 10,
    maxAckPending: 10_000,
    ...options.consumer,
  });
  const s3Settings: S3Settings = {
    endpoint: requireEnv("S3_ENDPOINT"),
    region: requireEnv("S3_REGION"),
    forcePathStyle: true,
    checksums: options.checksums ?? "WHEN_SUPPORTED",
    credentials: {
      accessKeyId: requireEnv("AWS_ACCESS_KEY_ID"),
      secretAccessKey: requireEnv("AWS_SECRET_ACCESS_KEY"),
    },
  };
  const s3 = createS3Client(s3Settings);
  const bucket = uniqueName("worker");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const drive = await startFakeDrive({ apiKeys: [testApiKey], ...options.fakeDrive });
  const credentials = await CredentialsStore.open(nc, topology);
  return {
    db,
    databaseUrl,
    nc,
    jsm,
    s3,
    s3Settings,
    bucket,
    topology,
    prefix,
    drive,
    credentials,
    async close() {
      await drive.close();
      await jsm.streams.delete(topology.stream).catch(() => undefined);
      await nc.drain();
      await db.destroy();
      s3.destroy();
    },
  };
}

/** The worker's pipeline settings for this bed: quick redeliveries so retry tests stay short. */
export function pipelineSettings(
  bed: WorkerTestBed,
  overrides: Partial<PipelineSettings> = {},
): PipelineSettings {
  return {
    queuePrefix: bed.prefix,
    concurrency: 4,
    partSizeBytes: 5 * 1024 * 1024,
    uploadQueueSize: 2,
    drive: {
      rootUrl: bed.drive.rootUrl,
      defaultApiKey: undefined,
      requestsPerSecond: 1_000,
      burst: 1_000,
      stallTimeoutMs: 10_000,
    },
    retry: { initialDelayMs: 200, maxDelayMs: 1_000 },
    ...overrides,
  };
}

/** A worker running in this process, with its own metrics registry. */
export interface InProcessWorker {
  worker: RunningWorker;
  registry: Registry;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function runWorker(
  bed: WorkerTestBed,
  settings = pipelineSettings(bed),
): Promise<InProcessWorker> {
  const registry = new Registry();
  const worker = await startWorker(settings, {
    nc: bed.nc,
    db: bed.db,
    s3: bed.s3,
    registry,
    clock: systemClock,
    logger: testLogger,
  });
  return {
    worker,
    registry,
    metric: async (name, labels = {}) => (await metricValue(registry, name, labels)) ?? 0,
  };
}

/** The environment `node worker/main.ts` needs to work on this bed. */
export function workerProcessEnv(
  bed: WorkerTestBed,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: bed.databaseUrl,
    NATS_URL: requireEnv("NATS_URL"),
    IMAGESYNC_QUEUE_PREFIX: bed.prefix,
    S3_ENDPOINT: requireEnv("S3_ENDPOINT"),
    S3_REGION: requireEnv("S3_REGION"),
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: requireEnv("AWS_ACCESS_KEY_ID"),
    AWS_SECRET_ACCESS_KEY: requireEnv("AWS_SECRET_ACCESS_KEY"),
    DRIVE_API_ROOT_URL: bed.drive.rootUrl,
    DRIVE_REQUESTS_PER_SECOND: "1000",
    WORKER_RETRY_INITIAL_SECONDS: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "info",
    ...extra,
  };
}

const terminal = new Set(["succeeded", "failed", "skipped", "unchanged"]);

/** The import's file rows once every one of them is terminal. */
export async function settledFiles(
  bed: WorkerTestBed,
  importUid: string,
  timeoutMs = 60_000,
): Promise<ImportFileRow[]> {
  return eventually(
    `every file of import ${importUid} to end`,
    () => fileRows(bed, importUid),
    (rows) => rows.length > 0 && rows.every((row) => terminal.has(row.state)),
    { timeoutMs },
  );
}

export async function fileRows(bed: WorkerTestBed, importUid: string): Promise<ImportFileRow[]> {
  return bed.db
    .selectFrom("import_files")
    .selectAll()
    .where("import_uid", "=", importUid)
    .orderBy("name")
    .execute();
}

/** What S3 holds at `key`: the bytes' md5 and what the object says about itself. */
export async function storedObject(
  bed: WorkerTestBed,
  key: string,
): Promise<{
  bytesMd5: string;
  bytesSha256: string;
  size: number;
  metadataMd5: string | undefined;
  contentType: string | undefined;
  /** The SHA-256 checksum the server keeps for the object (hex), if it was stored with one. */
  checksumSha256: string | undefined;
}> {
  const head = await bed.s3.send(
    new HeadObjectCommand({ Bucket: bed.bucket, Key: key, ChecksumMode: "ENABLED" }),
  );
  const object = await bed.s3.send(new GetObjectCommand({ Bucket: bed.bucket, Key: key }));
  const md5 = createHash("md5");
  const sha256 = createHash("sha256");
  let size = 0;
  for await (const chunk of object.Body as Readable) {
    md5.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return {
    bytesMd5: md5.digest("hex"),
    bytesSha256: sha256.digest("hex"),
    size,
    metadataMd5: head.Metadata?.md5,
    contentType: head.ContentType,
    checksumSha256:
      head.ChecksumSHA256 === undefined
        ? undefined
        : Buffer.from(head.ChecksumSHA256, "base64").toString("hex"),
  };
}

/** Whether an object exists at `key`. */
export async function objectExists(bed: WorkerTestBed, key: string): Promise<boolean> {
  try {
    await bed.s3.send(new HeadObjectCommand({ Bucket: bed.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/** Every object key under `prefix`. */
export async function objectKeys(bed: WorkerTestBed, prefix: string): Promise<string[]> {
  const listed = await bed.s3.send(new ListObjectsV2Command({ Bucket: bed.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "");
}

/** The catalogue rows of an import. */
export async function imageRows(bed: WorkerTestBed, importUid: string) {
  return bed.db
    .selectFrom("images")
    .selectAll()
    .where("import_uid", "=", importUid)
    .orderBy("name")
    .execute();
}
