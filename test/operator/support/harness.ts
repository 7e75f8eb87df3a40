/**
 * One operator test's world on the real stack: its own namespace, database, queue prefix and fake Drive,
 * and the ImageImport controller running in this process against them.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
} from "@kubernetes/client-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Kysely } from "kysely";
import { Registry } from "prom-client";
import { silentLogger, systemClock, type Clock } from "../../../lib/controller-runtime/index.ts";
import { connectDatabase, migrateToLatest, type Database, type FileState } from "../../../lib/db/index.ts";
import { DriveClients, type DriveSettings } from "../../../lib/drive/index.ts";
import {
  imageImportApi,
  type ImageImportSpec,
  type StoredImageImport,
} from "../../../lib/imageimport/index.ts";
import { queueTopology, type QueueTopology } from "../../../lib/queue/index.ts";
import { startFakeDrive, type FakeDrive, type FakeDriveOptions } from "../../../tools/fake-drive/index.ts";
import {
  createImageImportController,
  type ImageImportController,
  type ImageImportControllerOptions,
} from "../../../operator/controller.ts";
import { ensureImageImportApi } from "../../support/image-import-api.ts";
import { fileStates, tasksInStream } from "../../support/import-state.ts";
import { SimulatedWorkers, type SimulatedWorkersOptions } from "./simulated-workers.ts";
import {
  adminKubeClient,
  adminKubeConfig,
  createDatabase,
  requireEnv,
  uniqueName,
} from "../../support/stack.ts";

export const apiKey = "test-drive-key";
export const apiKeySecret = "drive-api-key";

export interface HarnessOptions {
  controller?: Partial<ImageImportControllerOptions>;
  drive?: Partial<FakeDriveOptions>;
  driveSettings?: DriveSettings;
  clock?: Clock;
  /** Start the controller at once (default true). */
  start?: boolean;
}

export type ImportSpecInput = Partial<Omit<ImageImportSpec, "source">> & {
  folderId: string;
  /** The link as pasted; the fake's full link (resource key included) by default. */
  folderUrl?: string;
  /** The Secret holding the key; null for none (the operator's default key). */
  secret?: string | null;
};

/** The test's world; `close` tears it all down. */
export class OperatorHarness {
  readonly namespace: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly apps: AppsV1Api;
  readonly db: Kysely<Database>;
  readonly databaseUrl: string;
  readonly nats: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly queuePrefix: string;
  readonly topology: QueueTopology;
  readonly fake: FakeDrive;
  readonly registry = new Registry();
  readonly drive: DriveClients;
  readonly clock: Clock;
  readonly #options: HarnessOptions;
  controller: ImageImportController | undefined;

  private constructor(parts: {
    namespace: string;
    kubeConfig: KubeConfig;
    db: Kysely<Database>;
    databaseUrl: string;
    nats: NatsConnection;
    jsm: JetStreamManager;
    queuePrefix: string;
    topology: QueueTopology;
    fake: FakeDrive;
    options: HarnessOptions;
  }) {
    this.queuePrefix = parts.queuePrefix;
    this.namespace = parts.namespace;
    this.kubeConfig = parts.kubeConfig;
    this.core = parts.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = parts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.apps = parts.kubeConfig.makeApiClient(AppsV1Api);
    this.db = parts.db;
    this.databaseUrl = parts.databaseUrl;
    this.nats = parts.nats;
    this.js = jetstream(parts.nats);
    this.jsm = parts.jsm;
    this.topology = parts.topology;
    this.fake = parts.fake;
    this.clock = parts.options.clock ?? systemClock;
    this.#options = parts.options;
    this.drive = new DriveClients({
      rootUrl: parts.fake.rootUrl,
      clock: this.clock,
      // Retries that stay quick in tests; Retry-After still wins.
      retry: { initialDelayMs: 50, maxDelayMs: 400 },
      ...parts.options.driveSettings,
    });
  }

  static async start(options: HarnessOptions = {}): Promise<OperatorHarness> {
    await ensureImageImportApi();
    const kubeConfig = adminKubeConfig();
    const namespace = uniqueName("op");
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const databaseUrl = await createDatabase("operator");
    const db = connectDatabase({ url: databaseUrl, maxConnections: 6 });
    await migrateToLatest(db);
    const nats = await connect({ servers: requireEnv("NATS_URL") });
    const jsm = await jetstreamManager(nats);
    const queuePrefix = uniqueName("op").toLowerCase();
    const topology = queueTopology(queuePrefix);
    const fake = await startFakeDrive({ apiKeys: [apiKey], ...options.drive });
    const harness = new OperatorHarness({
      namespace,
      kubeConfig,
      db,
      databaseUrl,
      nats,
      jsm,
      queuePrefix,
      topology,
      fake,
      options,
    });
    await harness.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: apiKeySecret }, stringData: { apiKey } },
    });
    if (options.start !== false) await harness.startController();
    return harness;
  }

  /** Builds and starts the controller (once more after `stopController`, as a restarted operator would). */
  async startController(
    overrides: Partial<ImageImportControllerOptions> = {},
  ): Promise<ImageImportController> {
    const controller = await createImageImportController(
      {
        kube: adminKubeClient(),
        db: this.db,
        nats: this.nats,
        topology: this.topology,
        drive: this.drive,
        registry: new Registry(),
        logger: silentLogger,
        clock: this.clock,
      },
      {
        defaultBucket: "imagesync",
        watchNamespaces: [this.namespace],
        pollIntervalMs: 250,
        statusIntervalMs: 500,
        ...this.#options.controller,
        ...overrides,
      },
    );
    controller.start();
    this.controller = controller;
    return controller;
  }

  async stopController(): Promise<void> {
    await this.controller?.stop();
    this.controller = undefined;
  }

  async close(): Promise<void> {
    await this.stopController();
    await this.jsm.streams.delete(this.topology.stream).catch(() => undefined);
    await this.nats.drain();
    await this.db.destroy();
    this.drive.close();
    await this.fake.close();
    await this.core.deleteNamespace({ name: this.namespace }).catch(() => undefined);
  }

  /** The import's spec as a test writes it: the fake's folder link, our Secret, and the given fields. */
  spec(input: ImportSpecInput): ImageImportSpec {
    const { folderId, folderUrl, secret, ...rest } = input;
    const secretName = secret === undefined ? apiKeySecret : secret;
    return {
      source: {
        googleDrive: {
          folderUrl: folderUrl ?? this.fake.folderUrl(folderId),
          ...(secretName === null ? {} : { apiKeySecretRef: { name: secretName } }),
        },
      },
      ...rest,
    };
  }

  async createImport(name: string, input: ImportSpecInput): Promise<StoredImageImport> {
    const { group, version, plural, apiVersion, kind } = imageImportApi;
    return (await this.custom.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: this.namespace,
      body: { apiVersion, kind, metadata: { name }, spec: this.spec(input) },
    })) as StoredImageImport;
  }

  async getImport(name: string): Promise<StoredImageImport> {
    const { group, version, plural } = imageImportApi;
    return (await this.custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: this.namespace,
      name,
    })) as StoredImageImport;
  }

  /** Merges `spec` into the import's spec. */
  async patchSpec(name: string, spec: Partial<ImageImportSpec>): Promise<void> {
    const { group, version, plural } = imageImportApi;
    await this.custom.patchNamespacedCustomObject(
      { group, version, plural, namespace: this.namespace, name, body: { spec } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  /** Changes an annotation, so the watch delivers an update and the import is reconciled now. */
  async touch(name: string): Promise<void> {
    const { group, version, plural } = imageImportApi;
    await this.custom.patchNamespacedCustomObject(
      {
        group,
        version,
        plural,
        namespace: this.namespace,
        name,
        body: { metadata: { annotations: { "test.imagesync.io/touched": String(Date.now()) } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  async deleteImport(name: string): Promise<void> {
    const { group, version, plural } = imageImportApi;
    await this.custom.deleteNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: this.namespace,
      name,
    });
  }

  /** Polls the import until `check` holds (returning it), or fails with the last status seen. */
  async waitForImport(
    name: string,
    check: (object: StoredImageImport) => boolean,
    timeoutMs = 60_000,
  ): Promise<StoredImageImport> {
    const deadline = Date.now() + timeoutMs;
    let last: StoredImageImport | undefined;
    while (Date.now() < deadline) {
      last = await this.getImport(name);
      if (check(last)) return last;
      await pause(100);
    }
    throw new Error(
      `import ${name} did not get there in ${timeoutMs} ms; last status: ${JSON.stringify(last?.status)}`,
    );
  }

  /** The import's file rows counted by state. */
  fileStates(uid: string): Promise<Partial<Record<FileState, number>>> {
    return fileStates(this.db, uid);
  }

  /** Tasks of this import waiting in the stream. */
  tasksInStream(uid: string): Promise<number> {
    return tasksInStream(this.jsm, this.topology, uid);
  }

  /** Simulated workers on this test's stream and database (not started). */
  workers(options: Omit<SimulatedWorkersOptions, "nats" | "jsm" | "db" | "topology"> = {}): SimulatedWorkers {
    return new SimulatedWorkers({
      nats: this.nats,
      jsm: this.jsm,
      db: this.db,
      topology: this.topology,
      ...options,
    });
  }

  /** Waits until Events with each of `reasons` have been recorded about the import; returns every reason seen. */
  async eventReasons(name: string, reasons: readonly string[]): Promise<string[]> {
    return eventually(
      async () => {
        const seen = (await this.events(name)).map((event) => event.reason ?? "");
        return reasons.every((reason) => seen.includes(reason)) ? seen : undefined;
      },
      `events ${reasons.join(", ")} about ${name}`,
      10_000,
    );
  }

  /** Events recorded about the import, oldest first. */
  async events(name: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({
      namespace: this.namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items;
  }
}

/** Real timers, and a "now" a test can move forward (to reach a re-sync without waiting for it). */
export class OffsetClock implements Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    return setTimeout(callback, delayMs);
  }

  clearTimeout(timer: unknown): void {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

/** The condition of this type on an import, if it has one. */
export function conditionOf(
  object: StoredImageImport,
  type: string,
): { status: string; reason: string; message: string } | undefined {
  return object.status?.conditions?.find((condition) => condition.type === type);
}

export function isFinished(object: StoredImageImport): boolean {
  const succeeded = conditionOf(object, "Succeeded");
  return succeeded !== undefined && succeeded.status !== "Unknown";
}
