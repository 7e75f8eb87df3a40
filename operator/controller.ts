import type { KubernetesListObject } from "@kubernetes/client-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Kysely } from "kysely";
import type { Registry } from "prom-client";
import {
  Controller,
  customResourcesPath,
  EventRecorder,
  Informer,
  splitObjectKey,
  systemClock,
  type Clock,
  type KubeClient,
  type Logger,
} from "../lib/controller-runtime/index.ts";
import type { Database } from "../lib/db/index.ts";
import type { DriveClients } from "../lib/drive/index.ts";
import { imageImportApi, type StoredImageImport } from "../lib/imageimport/index.ts";
import { CredentialsStore, ensureTaskStream, type QueueTopology } from "../lib/queue/index.ts";
import type { ControllerContext, ControllerSettings } from "./context.ts";
import { ImportCredentials } from "./credentials.ts";
import type { BucketCheck } from "./destination.ts";
import { ImportEvents } from "./events.ts";
import { ListingRunner } from "./listing.ts";
import { createOperatorMetrics, type OperatorMetrics } from "./metrics.ts";
import { ImageImportReconciler } from "./reconcile.ts";
import { derivePhase, StatusWriter, type ImportPhase } from "./status.ts";
import { StreamPublisher } from "./task-publisher.ts";

/** What the ImageImport controller is built from; tests inject their own (a namespace, a clock, a fake Drive). */
export interface ImageImportControllerDeps {
  kube: KubeClient;
  db: Kysely<Database>;
  nats: NatsConnection;
  topology: QueueTopology;
  drive: DriveClients;
  registry: Registry;
  /** The operator's metrics, when the process registered them already (its Drive hooks count into them too). */
  metrics?: OperatorMetrics;
  logger: Logger;
  clock?: Clock;
  /** The DestinationReady probe (bucket-check.ts); without it the bucket is not checked. */
  bucketCheck?: BucketCheck;
}

export interface ImageImportControllerOptions extends Partial<Omit<ControllerSettings, "defaultBucket">> {
  defaultBucket: string;
  /** The installation's Drive API key, for imports that name no Secret. */
  defaultApiKey?: string;
  /** Reconcile only these namespaces' imports (one watch each); all namespaces when absent. */
  watchNamespaces?: readonly string[];
  maxConcurrentReconciles?: number;
  /** How long a key read from a Secret is used before it is read again. */
  credentialsRefreshMs?: number;
  listingBatchSize?: number;
  listingRetryDelayMs?: number;
  /** The Event source's reportingInstance (the pod name). */
  instance?: string;
}

export interface ImageImportController {
  readonly controller: Controller;
  /** Whether every watch has listed its namespace once, so the caches reflect the cluster. */
  hasSynced(): boolean;
  readonly listings: ListingRunner;
  readonly metrics: OperatorMetrics;
  /** Starts watching and reconciling. */
  start(): void;
  /** Stops reconciling and every listing, then the watch. */
  stop(): Promise<void>;
}

const defaultSettings: Omit<ControllerSettings, "defaultBucket"> = {
  pollIntervalMs: 1_000,
  statusIntervalMs: 1_500,
  inFlightGraceMs: 120_000,
  publishChunkSize: 500,
  publishTimeBudgetMs: 2_000,
};

/** Builds the ImageImport controller: informer, work queue, reconciler and the parts it drives. */
export async function createImageImportController(
  deps: ImageImportControllerDeps,
  options: ImageImportControllerOptions,
): Promise<ImageImportController> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ controller: "imageimport" });
  const kube = deps.kube;
  const jsm = await jetstreamManager(deps.nats);
  await ensureTaskStream(jsm, deps.topology);
  const store = await CredentialsStore.open(deps.nats, deps.topology);

  const informers = new ImportInformers(kube, options.watchNamespaces, logger, clock);
  const metrics = deps.metrics ?? createOperatorMetrics(deps.registry);
  metrics.observePhases(() => phaseCounts(informers.list()));
  const controller: Controller = new Controller({
    name: "imageimport",
    reconcile: (key, signal) => reconciler.reconcile(key, signal),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    registry: deps.registry,
    // The Controller labels its lines with its name itself; the child logger would say it twice.
    logger: deps.logger,
    clock,
  });
  const enqueue = (key: string): void => controller.queue.add(key);
  const listings = new ListingRunner({
    db: deps.db,
    drive: deps.drive,
    clock,
    logger,
    metrics,
    enqueue,
    ...(options.listingBatchSize === undefined ? {} : { batchSize: options.listingBatchSize }),
    ...(options.listingRetryDelayMs === undefined ? {} : { retryDelayMs: options.listingRetryDelayMs }),
  });
  const settings: ControllerSettings = {
    ...defaultSettings,
    ...definedOnly({
      pollIntervalMs: options.pollIntervalMs,
      statusIntervalMs: options.statusIntervalMs,
      inFlightGraceMs: options.inFlightGraceMs,
      publishChunkSize: options.publishChunkSize,
      publishTimeBudgetMs: options.publishTimeBudgetMs,
    }),
    defaultBucket: options.defaultBucket,
  };
  const ctx: ControllerContext = {
    db: deps.db,
    publisher: new StreamPublisher(deps.nats, deps.topology.stream),
    jsm,
    topology: deps.topology,
    kube,
    credentials: new ImportCredentials({
      kube,
      store,
      defaultApiKey: options.defaultApiKey,
      clock,
      refreshMs: options.credentialsRefreshMs ?? 30_000,
    }),
    listings,
    status: new StatusWriter({ kube, clock, progressIntervalMs: settings.statusIntervalMs }),
    events: new ImportEvents(
      new EventRecorder({
        kube,
        component: "imagesync-operator",
        ...(options.instance === undefined ? {} : { instance: options.instance }),
        logger,
        clock,
      }),
    ),
    metrics,
    bucketCheck: deps.bucketCheck,
    clock,
    logger,
    settings,
    enqueue,
  };
  const reconciler = new ImageImportReconciler(ctx, (key) => informers.get(key));
  for (const informer of informers.all) controller.watch(informer);

  return {
    controller,
    hasSynced: () => informers.all.every((informer) => informer.hasSynced()),
    listings,
    metrics,
    start() {
      for (const informer of informers.all) informer.start();
      controller.start();
    },
    async stop() {
      await controller.stop();
      await listings.stopAll();
      await Promise.all(informers.all.map((informer) => informer.stop()));
    },
  };
}

/** One watch over every namespace, or one per watched namespace. */
class ImportInformers {
  readonly all: Informer<StoredImageImport>[];
  readonly #byNamespace = new Map<string, Informer<StoredImageImport>>();

  constructor(kube: KubeClient, namespaces: readonly string[] | undefined, logger: Logger, clock: Clock) {
    const { group, version, plural } = imageImportApi;
    const informer = (namespace: string | undefined): Informer<StoredImageImport> => {
      const path = customResourcesPath({ group, version, plural, namespace });
      return new Informer<StoredImageImport>({
        watch: kube,
        path,
        list: () => kube.get<KubernetesListObject<StoredImageImport>>(path),
        logger,
        clock,
      });
    };
    if (namespaces === undefined) {
      this.all = [informer(undefined)];
    } else {
      for (const namespace of namespaces) this.#byNamespace.set(namespace, informer(namespace));
      this.all = [...this.#byNamespace.values()];
    }
  }

  /** The cached import with this `namespace/name` key. */
  get(key: string): StoredImageImport | undefined {
    const { namespace } = splitObjectKey(key);
    const informer = this.#byNamespace.size === 0 ? this.all[0] : this.#byNamespace.get(namespace ?? "");
    return informer?.get(key);
  }

  list(): StoredImageImport[] {
    return this.all.flatMap((informer) => informer.list());
  }
}

function phaseCounts(imports: readonly StoredImageImport[]): Map<ImportPhase, number> {
  const counts = new Map<ImportPhase, number>();
  for (const object of imports) {
    const phase = derivePhase(object.status ?? {});
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  return counts;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
