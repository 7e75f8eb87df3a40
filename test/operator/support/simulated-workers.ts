/**
 * Workers as docs/design.md describes them, without Drive or S3: take tasks from the shared consumer, claim
 * the row, end it, ack. Tests steer what happens to each file and can hold files in flight.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import { jetstream, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { sql, type Kysely } from "kysely";
import { terminalFileStates, type Database } from "../../../lib/db/index.ts";
import {
  decodeFileTask,
  ensureTaskStream,
  ensureWorkerConsumer,
  type FileTask,
  type QueueTopology,
} from "../../../lib/queue/index.ts";

export type SimulatedOutcome = { state: "succeeded" } | { state: "failed"; reason: string; message: string };

export interface SimulatedWorkersOptions {
  nats: NatsConnection;
  jsm: JetStreamManager;
  db: Kysely<Database>;
  topology: QueueTopology;
  /** Tasks worked on at once. */
  concurrency?: number;
  /** How each file ends; succeeded by default. */
  outcome?: (task: FileTask) => SimulatedOutcome;
  /** Time spent on each file. */
  workMs?: number;
}

/** One task a worker took and what became of it. */
export interface Delivery {
  task: FileTask;
  claimed: boolean;
}

export class SimulatedWorkers {
  readonly #options: SimulatedWorkersOptions;
  readonly deliveries: Delivery[] = [];
  #running = false;
  #loops: Promise<void>[] = [];
  #held = false;
  #release: (() => void) | undefined;
  #releasePromise: Promise<void> = Promise.resolve();
  inFlight = 0;

  constructor(options: SimulatedWorkersOptions) {
    this.#options = options;
  }

  /** Creates the stream and the shared consumer (as the workers do) and starts taking tasks. */
  async start(): Promise<void> {
    await ensureTaskStream(this.#options.jsm, this.#options.topology);
    await ensureWorkerConsumer(this.#options.jsm, this.#options.topology, {
      ackWaitMs: 30_000,
      maxDeliver: 10,
      maxAckPending: 10_000,
    });
    this.#running = true;
    const concurrency = this.#options.concurrency ?? 8;
    this.#loops = Array.from({ length: concurrency }, () => this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.release();
    await Promise.all(this.#loops);
  }

  /** From now on, claimed files wait in flight until `release`. */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    this.#releasePromise = new Promise((resolve) => (this.#release = resolve));
  }

  /** Lets held files finish. */
  release(): void {
    this.#held = false;
    this.#release?.();
    this.#release = undefined;
  }

  /** How many times each file was claimed and worked on. */
  claimsByFile(): Map<string, number> {
    const claims = new Map<string, number>();
    for (const delivery of this.deliveries) {
      if (delivery.claimed) claims.set(delivery.task.fileId, (claims.get(delivery.task.fileId) ?? 0) + 1);
    }
    return claims;
  }

  async #loop(): Promise<void> {
    const { nats, topology } = this.#options;
    const consumer = await jetstream(nats).consumers.get(topology.stream, topology.consumer);
    while (this.#running) {
      // Take the message first, then work: a fetch left unread while a file is held misses heartbeats.
      const taken: JsMsg[] = [];
      const messages = await consumer.fetch({ max_messages: 1, expires: 1_000 });
      for await (const message of messages) taken.push(message);
      for (const message of taken) await this.#work(message);
    }
  }

  async #work(message: JsMsg): Promise<void> {
    const task = decodeFileTask(message.string());
    const claimed = await this.#claim(task);
    this.deliveries.push({ task, claimed });
    if (!claimed) {
      message.ack();
      return;
    }
    this.inFlight++;
    try {
      if (this.#held) await this.#releasePromise;
      if ((this.#options.workMs ?? 0) > 0)
        await new Promise((resolve) => setTimeout(resolve, this.#options.workMs));
      await this.#finish(task, this.#options.outcome?.(task) ?? { state: "succeeded" });
      message.ack();
    } finally {
      this.inFlight--;
    }
  }

  // The worker's claim (docs/design.md): non-terminal, same revision, not superseded by a newer publish.
  async #claim(task: FileTask): Promise<boolean> {
    const result = await this.#options.db
      .updateTable("import_files")
      .set((eb) => ({ state: "in_progress", attempts: eb("attempts", "+", 1), updated_at: sql`now()` }))
      .where("import_uid", "=", task.importUid)
      .where("file_id", "=", task.fileId)
      .where("state", "not in", terminalFileStates)
      .where("revision", "=", task.revision)
      .where("publish_generation", "<=", task.generation)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async #finish(task: FileTask, outcome: SimulatedOutcome): Promise<void> {
    await this.#options.db
      .updateTable("import_files")
      .set({
        state: outcome.state,
        error_reason: outcome.state === "failed" ? outcome.reason : null,
        error_message: outcome.state === "failed" ? outcome.message : null,
        finished_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where("import_uid", "=", task.importUid)
      .where("file_id", "=", task.fileId)
      .where("state", "=", "in_progress")
      .where("revision", "=", task.revision)
      .where("publish_generation", "<=", task.generation)
      .execute();
  }
}
