import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { collectDefaultMetrics, Registry } from "prom-client";
import {
  HealthServer,
  KubeClient,
  LeaderElector,
  processConnection,
  systemClock,
  type Logger,
} from "../lib/controller-runtime/index.ts";
import { connectDatabase, migrateToLatest } from "../lib/db/index.ts";
import { DriveClients } from "../lib/drive/index.ts";
import { queueTopology } from "../lib/queue/index.ts";
import type { OperatorConfig } from "./config.ts";
import { createImageImportController } from "./controller.ts";
import { createOperatorMetrics } from "./metrics.ts";
import { WorkerAutoscaler } from "./worker-autoscaler.ts";

/** A running operator process: probes and metrics served, campaigning for (or holding) the lease. */
export interface RunningOperator {
  /** The ports the probe and metrics servers listen on. */
  readonly ports: { health: number; metrics: number };
  /** Stops leading (handing the lease over), then closes every connection. */
  stop(): Promise<void>;
}

export interface OperatorHooks {
  /** Called when the lease was lost rather than handed over; the process should exit and start afresh. */
  onLeadershipLost: () => void;
}

/**
 * Wires the operator from its configuration: database (migrated), NATS, Drive clients, the ImageImport
 * controller and the worker autoscaler, which run only while this replica holds the lease.
 */
export async function startOperator(
  config: OperatorConfig,
  logger: Logger,
  hooks: OperatorHooks,
): Promise<RunningOperator> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createOperatorMetrics(registry);

  const kube = new KubeClient(processConnection(config));

  const db = connectDatabase({ url: config.databaseUrl, applicationName: "imagesync-operator" });
  await migrateToLatest(db);
  // No async traces: nats.js would otherwise build two Errors (with stacks) per publish, most of the CPU of
  // publishing 100,000 tasks.
  const nats = await connect({ servers: config.natsUrl, name: "imagesync-operator", noAsyncTraces: true });
  const topology = queueTopology(config.queuePrefix);
  const drive = new DriveClients({
    rootUrl: config.drive.rootUrl,
    pacing: { ratePerSecond: config.drive.requestsPerSecond, burst: config.drive.burst },
    hooks: {
      onAttempt: (operation) => metrics.driveRequests.inc({ operation }),
      onRetry: (operation) => metrics.driveRetries.inc({ operation }),
      onRateLimited: (operation) => metrics.driveRateLimited.inc({ operation }),
    },
  });
  const bucketCheck =
    config.s3 === undefined
      ? undefined
      : (await import("./bucket-check.ts")).createBucketCheck(
          {
            ...(config.s3.endpoint === undefined ? {} : { endpoint: config.s3.endpoint }),
            region: config.s3.region,
            forcePathStyle: config.s3.forcePathStyle,
            checksums: config.s3.checksums,
            ...(config.s3.credentials === undefined ? {} : { credentials: config.s3.credentials }),
            requestTimeoutMs: 10_000,
          },
          systemClock,
        );

  const imports = await createImageImportController(
    {
      kube,
      db,
      nats,
      topology,
      drive,
      registry,
      metrics,
      logger,
      ...(bucketCheck === undefined ? {} : { bucketCheck: bucketCheck.check }),
    },
    {
      defaultBucket: config.defaultBucket,
      ...(config.drive.defaultApiKey === undefined ? {} : { defaultApiKey: config.drive.defaultApiKey }),
      ...(config.watchNamespaces === undefined ? {} : { watchNamespaces: config.watchNamespaces }),
      instance: config.leaderElection.identity,
    },
  );
  const autoscaler =
    config.workerAutoscaling === undefined
      ? undefined
      : new WorkerAutoscaler({
          kube,
          jsm: await jetstreamManager(nats),
          topology,
          config: config.workerAutoscaling,
          metrics,
          logger,
          clock: systemClock,
        });

  let leading = false;
  let stopping = false;
  const lead = (): void => {
    leading = true;
    imports.start();
    autoscaler?.start();
  };
  const stopLeading = async (): Promise<void> => {
    if (!leading) return;
    leading = false;
    await autoscaler?.stop();
    await imports.stop();
    if (!stopping) hooks.onLeadershipLost();
  };
  const elector = config.leaderElection.enabled
    ? new LeaderElector({
        kube,
        namespace: config.leaderElection.namespace,
        name: config.leaderElection.name,
        identity: config.leaderElection.identity,
        leaseDurationMs: config.leaderElection.leaseDurationMs,
        renewDeadlineMs: config.leaderElection.renewDeadlineMs,
        retryPeriodMs: config.leaderElection.retryPeriodMs,
        onStartedLeading: lead,
        onStoppedLeading: stopLeading,
        registry,
        logger,
      })
    : undefined;

  const servers = probeServers(config, registry, logger);
  const health = servers.health;
  health.addHealthzCheck("ping", () => undefined);
  health.addReadyzCheck("imageimports-synced", () => {
    if (leading && !imports.hasSynced()) throw new Error("the ImageImport cache has not synced yet");
  });
  const ports = {
    health: await health.listen(),
    metrics: servers.metrics === health ? 0 : await servers.metrics.listen(),
  };
  if (servers.metrics === health) ports.metrics = ports.health;

  if (elector === undefined) lead();
  else elector.start();
  logger.info("operator started", {
    identity: config.leaderElection.identity,
    leaderElection: config.leaderElection.enabled,
    queuePrefix: config.queuePrefix,
    driveRootUrl: config.drive.rootUrl,
    watchNamespaces: config.watchNamespaces ?? "(all)",
    ports,
  });

  return {
    ports,
    async stop() {
      stopping = true;
      if (elector === undefined) await stopLeading();
      else await elector.stop();
      await Promise.all([health.close(), servers.metrics === health ? undefined : servers.metrics.close()]);
      await nats.drain();
      await db.destroy();
      drive.close();
      kube.close();
      bucketCheck?.close();
    },
  };
}

function probeServers(
  config: OperatorConfig,
  registry: Registry,
  logger: Logger,
): { health: HealthServer; metrics: HealthServer } {
  const host = config.bindAddress;
  const server = (port: number): HealthServer =>
    new HealthServer({ port, registry, logger, ...(host === undefined ? {} : { host }) });
  const health = server(config.healthPort);
  const sharedPort = config.metricsPort === config.healthPort && config.healthPort !== 0;
  return { health, metrics: sharedPort ? health : server(config.metricsPort) };
}
