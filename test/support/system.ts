import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { connectDatabase, type Database, type FileState } from "../../lib/db/index.ts";
import { imageImportApi, type ImageImport } from "../../lib/imageimport/index.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Kysely } from "kysely";
import {
  defaultWorkerConsumerOptions,
  ensureTaskStream,
  ensureWorkerConsumer,
  queueTopology,
} from "../../lib/queue/index.ts";
import type { ScrapeTarget } from "../chart/prometheus.ts";
import { ensureImageImportApi } from "./image-import-api.ts";
import { freePort } from "./free-port.ts";
import { fileStates, tasksInStream } from "./import-state.ts";
import { repoRoot, startProcess, waitForHttpOk, type ManagedProcess } from "./processes.ts";
import { adminKubeConfig, createDatabase, requireEnv, stackS3Client, uniqueName } from "./stack.ts";

export interface SystemOptions {
  /** The fake Drive's root URL and an API key it accepts. */
  driveRootUrl: string;
  driveApiKey: string;
  workers?: number;
  workerConcurrency?: number;
  /** Extra environment for every process (e.g. faster leader election). */
  env?: Record<string, string>;
  /** Servers of its own (NATS_URL, DATABASE_URL, S3_ENDPOINT) for a test that restarts them. */
  servers?: Record<string, string>;
  /**
   * The worker consumer's ack wait: how soon a task held by a killed worker is redelivered. Production's
   * is a minute; crash tests shorten it so they end in seconds.
   */
  ackWaitMs?: number;
  /** Run the compiled build in dist/ (`make build`), as the image does, instead of the TypeScript sources. */
  compiled?: boolean;
}

/**
 * The whole product for one test, isolated from every other test: its own namespace (the operator watches
 * only it), queue prefix, database, bucket and lease, with operator, workers and API as child processes.
 */
export class TestSystem {
  readonly namespace = uniqueName("e2e");
  readonly bucket = uniqueName("e2e");
  readonly queuePrefix = uniqueName("e2e");
  readonly apiToken = randomBytes(24).toString("hex");
  readonly kube = adminKubeConfig();
  readonly objects = this.kube.makeApiClient(CustomObjectsApi);
  readonly s3: S3Client;
  /** Where each process serves /metrics, labelled as the chart's monitors label them. */
  readonly metricsTargets: ScrapeTarget[] = [];
  operators: ManagedProcess[] = [];
  workers: ManagedProcess[] = [];
  api: ManagedProcess | undefined;
  apiUrl = "";
  db!: Kysely<Database>;
  #env: Record<string, string> = {};
  readonly #options: SystemOptions;

  constructor(options: SystemOptions) {
    this.#options = options;
    this.s3 = stackS3Client({ endpoint: options.servers?.S3_ENDPOINT });
  }

  /**
   * Creates the namespace, database and bucket, then starts operator, workers and API and waits for them.
   * If any of that fails, what was started is stopped: the caller never got a system to stop.
   */
  async start(): Promise<this> {
    try {
      return await this.#start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async #start(): Promise<this> {
    if (this.#options.compiled === true && !existsSync(join(repoRoot, this.#entry("operator")))) {
      throw new Error("dist/ holds no compiled build: run `make build` first (make test does)");
    }
    await ensureImageImportApi();
    await this.kube
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: this.namespace } } });
    await this.s3.send(new CreateBucketCommand({ Bucket: this.bucket }));
    const servers = this.#options.servers ?? {};
    const databaseUrl = await createDatabase("e2e", servers.DATABASE_URL);
    this.db = connectDatabase({ url: databaseUrl });
    this.#env = {
      KUBECONFIG: requireEnv("KUBECONFIG"),
      DATABASE_URL: databaseUrl,
      NATS_URL: servers.NATS_URL ?? requireEnv("NATS_URL"),
      IMAGESYNC_QUEUE_PREFIX: this.queuePrefix,
      S3_ENDPOINT: servers.S3_ENDPOINT ?? requireEnv("S3_ENDPOINT"),
      S3_REGION: requireEnv("S3_REGION"),
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: requireEnv("AWS_ACCESS_KEY_ID"),
      AWS_SECRET_ACCESS_KEY: requireEnv("AWS_SECRET_ACCESS_KEY"),
      DEFAULT_BUCKET: this.bucket,
      DRIVE_API_ROOT_URL: this.#options.driveRootUrl,
      DRIVE_API_KEY: this.#options.driveApiKey,
      WATCH_NAMESPACE: this.namespace,
      LEADER_ELECTION_NAMESPACE: this.namespace,
      LEADER_ELECTION_ID: "imagesync-operator",
      LOG_LEVEL: "info",
      // The fake Drive has no quota unless a test gives it one; production keeps the safe default pacing.
      DRIVE_REQUESTS_PER_SECOND: "500",
      DRIVE_BURST: "500",
      ...this.#options.env,
    };
    if (this.#options.ackWaitMs !== undefined) await this.#createQueue(this.#options.ackWaitMs);
    await this.startOperator();
    for (let i = 0; i < (this.#options.workers ?? 1); i++) await this.startWorker();
    const apiPort = await freePort();
    this.api = startProcess("api", this.#entry("api"), {
      ...this.#env,
      API_HOST: "127.0.0.1",
      API_PORT: String(apiPort),
      API_STATIC_TOKEN: this.apiToken,
      API_DEFAULT_NAMESPACE: this.namespace,
    });
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    this.#addTarget("api", apiPort);
    await waitForHttpOk(this.api, `${this.apiUrl}/readyz`);
    return this;
  }

  /** The process's entry point, relative to the repository. */
  #entry(component: "operator" | "worker" | "api"): string {
    return this.#options.compiled === true ? `dist/${component}/main.js` : `${component}/main.ts`;
  }

  #addTarget(process: "operator" | "worker" | "api", port: number): void {
    const pod = `${process}-${this.metricsTargets.filter((t) => t.job === `imagesync-${process}`).length}`;
    this.metricsTargets.push({
      job: `imagesync-${process}`,
      address: `127.0.0.1:${port}`,
      labels: { namespace: "imagesync", pod },
    });
  }

  async #createQueue(ackWaitMs: number): Promise<void> {
    const nc = await connect({ servers: this.#env.NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const topology = queueTopology(this.queuePrefix);
      await ensureTaskStream(jsm, topology);
      await ensureWorkerConsumer(jsm, topology, { ...defaultWorkerConsumerOptions, ackWaitMs });
    } finally {
      await nc.close();
    }
  }

  /** Starts one more operator replica (they elect a leader among themselves). */
  async startOperator(): Promise<ManagedProcess> {
    const port = await freePort();
    const operator = startProcess("operator", this.#entry("operator"), {
      ...this.#env,
      METRICS_PORT: String(port),
      HEALTH_PORT: String(port),
    });
    await waitForHttpOk(operator, `http://127.0.0.1:${port}/healthz`);
    this.operators.push(operator);
    this.#addTarget("operator", port);
    return operator;
  }

  async startWorker(): Promise<ManagedProcess> {
    const port = await freePort();
    const worker = startProcess("worker", this.#entry("worker"), {
      ...this.#env,
      METRICS_PORT: String(port),
      WORKER_CONCURRENCY: String(this.#options.workerConcurrency ?? 8),
    });
    await waitForHttpOk(worker, `http://127.0.0.1:${port}/readyz`);
    this.workers.push(worker);
    this.#addTarget("worker", port);
    return worker;
  }

  /** Creates an ImageImport in this system's namespace, as `kubectl apply` would. */
  async createImport(name: string, spec: Record<string, unknown>): Promise<ImageImport> {
    return (await this.objects.createNamespacedCustomObject({
      ...imageImportApi,
      namespace: this.namespace,
      body: { apiVersion: imageImportApi.apiVersion, kind: imageImportApi.kind, metadata: { name }, spec },
    })) as ImageImport;
  }

  async readImport(name: string): Promise<ImageImport> {
    return (await this.objects.getNamespacedCustomObject({
      ...imageImportApi,
      namespace: this.namespace,
      name,
    })) as ImageImport;
  }

  /** GET on the REST API as the static-token admin. */
  apiGet<T>(path: string): Promise<T> {
    return this.apiRequest<T>("GET", path);
  }

  /** A call on the REST API as the static-token admin; anything but a 2xx answer throws. */
  async apiRequest<T>(method: string, path: string): Promise<T> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiToken}` },
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** The import's file rows counted by state. */
  fileStates(uid: string): Promise<Partial<Record<FileState, number>>> {
    return fileStates(this.db, uid);
  }

  /** Tasks of this import waiting in the stream. */
  async tasksInStream(uid: string): Promise<number> {
    const nc = await connect({ servers: this.#env.NATS_URL });
    try {
      return await tasksInStream(await jetstreamManager(nc), queueTopology(this.queuePrefix), uid);
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.operators, ...this.workers, ...(this.api ? [this.api] : [])].map((p) => p.stop()),
    );
    await this.db?.destroy();
    this.s3.destroy();
  }
}
