import type { S3Client } from "@aws-sdk/client-s3";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Kysely } from "kysely";
import type { Registry } from "prom-client";
import type { Clock } from "../lib/controller-runtime/clock.ts";
import type { Database } from "../lib/db/index.ts";
import { DriveClients, openFileStream } from "../lib/drive/index.ts";
import type { Logger } from "../lib/log/index.ts";
import {
  CredentialsStore,
  deadLetterTopology,
  defaultWorkerConsumerOptions,
  ensureDeadLetterStream,
  ensureTaskStream,
  ensureWorkerConsumer,
  queueTopology,
  type QueueTopology,
} from "../lib/queue/index.ts";
import { ApiKeys } from "./api-keys.ts";
import type { PipelineSettings } from "./config.ts";
import { DeadLetterRecorder } from "./dead-letter-recorder.ts";
import { driveMetricsHooks } from "./drive-metrics.ts";
import { FileImporter, type FileDownloader } from "./file-importer.ts";
import { FileRecords } from "./file-records.ts";
import { createWorkerMetrics } from "./metrics.ts";
import { ObjectStore } from "./object-store.ts";
import { TaskConsumer } from "./task-consumer.ts";

/** What a worker runs on: connections and process-wide services, all owned (and closed) by the caller. */
export interface WorkerEnvironment {
  nc: NatsConnection;
  db: Kysely<Database>;
  s3: S3Client;
  registry: Registry;
  clock: Clock;
  logger: Logger;
}

/** A started worker. */
export interface RunningWorker {
  /** Stops pulling, lets files in flight finish within `graceMs`, hands the rest back. Leaves connections open. */
  stop(graceMs: number): Promise<void>;
}

// The redelivery delay after an unexpected failure (PostgreSQL unreachable, say): long enough not to spin.
const unexpectedFailureDelayMs = 10_000;

/** Starts pulling file tasks and importing them, and recording dead-lettered ones. */
export async function startWorker(
  settings: PipelineSettings,
  env: WorkerEnvironment,
): Promise<RunningWorker> {
  const { nc, db, s3, registry, clock, logger } = env;
  const topology = queueTopology(settings.queuePrefix);
  const jsm = await jetstreamManager(nc);
  const ackWaitMs = await ensureQueue(jsm, topology);
  const js = jetstream(nc);

  const metrics = createWorkerMetrics(registry);
  const records = new FileRecords(db);
  const drive = new DriveClients({
    rootUrl: settings.drive.rootUrl,
    stallTimeoutMs: settings.drive.stallTimeoutMs,
    maxSockets: Math.max(32, settings.concurrency),
    pacing: { ratePerSecond: settings.drive.requestsPerSecond, burst: settings.drive.burst },
    hooks: driveMetricsHooks(registry),
    clock,
  });
  const download: FileDownloader = async ({ fileId, resourceKey, apiKey, signal }) =>
    (await openFileStream(drive.forApiKey(apiKey), fileId, { resourceKey, signal })).body;
  const importer = new FileImporter({
    records,
    objects: new ObjectStore(s3, {
      partSizeBytes: settings.partSizeBytes,
      queueSize: settings.uploadQueueSize,
    }),
    download,
    apiKeys: new ApiKeys(await CredentialsStore.open(nc, topology), settings.drive.defaultApiKey, clock),
    metrics,
    backoff: settings.retry,
    clock,
    logger,
  });
  const consumer = new TaskConsumer({
    consumer: await js.consumers.get(topology.stream, topology.consumer),
    handle: (task, signal) => importer.importFile(task, signal),
    concurrency: settings.concurrency,
    // Three beats per ack wait: one lost beat does not get a healthy transfer redelivered.
    heartbeatMs: Math.max(250, Math.floor(ackWaitMs / 3)),
    unexpectedFailureDelayMs,
    onInFlight: (count) => metrics.inFlight.set(count),
    clock,
    logger,
  });
  const deadLetters = deadLetterTopology(topology);
  const recorder = new DeadLetterRecorder({
    consumer: await js.consumers.get(deadLetters.stream, deadLetters.consumer),
    jsm,
    topology,
    records,
    metrics,
    logger,
  });

  await recorder.start();
  consumer.start();
  logger.info("worker started", {
    stream: topology.stream,
    consumer: topology.consumer,
    concurrency: settings.concurrency,
    ackWaitMs,
  });
  return {
    async stop(graceMs) {
      await consumer.stop(graceMs);
      await recorder.stop();
      drive.close();
      logger.info("worker stopped");
    },
  };
}

/**
 * Creates the task stream and the worker consumer when they do not exist yet (so a worker may start before
 * the operator), never changing existing ones: their settings are the operator's. The dead-letter stream is
 * the workers' own. Returns the consumer's ack wait.
 */
async function ensureQueue(jsm: JetStreamManager, topology: QueueTopology): Promise<number> {
  if (!(await found(jsm.streams.info(topology.stream)))) await ensureTaskStream(jsm, topology);
  if (!(await found(jsm.consumers.info(topology.stream, topology.consumer))))
    await ensureWorkerConsumer(jsm, topology);
  await ensureDeadLetterStream(jsm, topology);
  const info = await jsm.consumers.info(topology.stream, topology.consumer);
  return (info.config.ack_wait ?? defaultWorkerConsumerOptions.ackWaitMs * 1_000_000) / 1_000_000;
}

async function found(info: Promise<unknown>): Promise<boolean> {
  try {
    await info;
    return true;
  } catch (error) {
    if (/not found/i.test(error instanceof Error ? error.message : String(error))) return false;
    throw error;
  }
}
