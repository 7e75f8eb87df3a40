/**
 * The worker process: pulls file tasks, streams each file from Drive into S3 and records it in PostgreSQL.
 * Configuration comes from the environment (see config.ts); run `node worker/main.ts` from the repository root.
 */
import { connect } from "@nats-io/transport-node";
import { sql } from "kysely";
import { collectDefaultMetrics, Registry } from "prom-client";
// The files themselves, not the index: the index also loads the Kubernetes client (~80 MB) a worker never uses.
import { systemClock } from "../lib/controller-runtime/clock.ts";
import { HealthServer } from "../lib/controller-runtime/health-server.ts";
import { connectDatabase, migrateToLatest } from "../lib/db/index.ts";
import { createLogger, type Logger } from "../lib/log/index.ts";
import { createS3Client } from "../lib/storage/index.ts";
import { parseWorkerConfig, type WorkerConfig } from "./config.ts";
import { startWorker, type RunningWorker } from "./worker.ts";

// A probe that gets no answer this fast counts as failed.
const probeTimeoutMs = 2_000;

let config: WorkerConfig;
try {
  config = parseWorkerConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const logger = createLogger("worker", config.logLevel);
run(config, logger).catch((error: unknown) => {
  logger.error("worker failed", { error });
  process.exit(1);
});

async function run(config: WorkerConfig, logger: Logger): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const nc = await connect({
    servers: config.natsUrl.split(","),
    name: "imagesync-worker",
    maxReconnectAttempts: -1,
  });
  const db = connectDatabase({
    url: config.databaseUrl,
    maxConnections: config.databaseMaxConnections,
    applicationName: "imagesync-worker",
  });
  await migrateToLatest(db);
  const s3 = createS3Client({ ...config.s3, maxSockets: Math.max(64, config.pipeline.concurrency * 2) });

  let worker: RunningWorker | undefined;
  const health = new HealthServer({ port: config.metricsPort, registry, logger });
  health.addReadyzCheck("worker", () => {
    if (worker === undefined) throw new Error("not pulling tasks");
  });
  health.addReadyzCheck("nats", () => {
    if (nc.isClosed()) throw new Error("the NATS connection is closed");
    return withTimeout(nc.flush(), "NATS did not answer a ping");
  });
  health.addReadyzCheck("database", () =>
    withTimeout(sql`select 1`.execute(db), "PostgreSQL did not answer"),
  );
  const metricsPort = await health.listen();

  worker = await startWorker(config.pipeline, { nc, db, s3, registry, clock: systemClock, logger });
  logger.info("worker ready", { metricsPort });

  const shutdown = async (signal: string): Promise<void> => {
    logger.info("stopping", { signal, graceMs: config.shutdownGraceMs });
    const stopping = worker;
    worker = undefined;
    await stopping?.stop(config.shutdownGraceMs);
    await nc.drain();
    await db.destroy();
    s3.destroy();
    await health.close();
    process.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      shutdown(signal).catch((error: unknown) => {
        logger.error("unclean shutdown", { error });
        process.exit(1);
      });
    });
  }
}

async function withTimeout(work: Promise<unknown>, failure: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${failure} within ${probeTimeoutMs} ms`)), probeTimeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
