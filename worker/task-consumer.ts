import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { sleep, type Clock } from "../lib/controller-runtime/clock.ts";
import type { Logger } from "../lib/log/index.ts";
import { decodeFileTask, type FileTask } from "../lib/queue/index.ts";
import type { TaskDisposition } from "./file-importer.ts";

/** Handles one task; `signal` fires when the process must stop and hand the task back. */
export type TaskHandler = (task: FileTask, signal: AbortSignal) => Promise<TaskDisposition>;

export interface TaskConsumerOptions {
  consumer: Consumer;
  handle: TaskHandler;
  /** Tasks in flight at once: never more are pulled from the stream than there are free slots. */
  concurrency: number;
  /** How often a task in flight tells JetStream it is still being worked on; well under the consumer's ack wait. */
  heartbeatMs: number;
  /** The redelivery delay when handling failed unexpectedly (PostgreSQL unreachable, say). */
  unexpectedFailureDelayMs: number;
  /** Reports the number of tasks in flight whenever it changes. */
  onInFlight?: (count: number) => void;
  clock: Clock;
  logger: Logger;
}

// How long one pull waits for tasks; also the most a stop waits for an idle pull to end.
const pullExpiresMs = 5_000;
const pullErrorBackoffMs = 1_000;
// A free slot waits at most this long for others to free before it is pulled for alone.
const pullBatchDelayMs = 20;

/**
 * Pulls file tasks from the shared durable consumer and runs up to `concurrency` of them at once: it asks for
 * exactly as many as it has free slots, so no task waits in a local buffer while its ack timer runs. Each task
 * in flight sends `working()` heartbeats and is settled as its handler says (ack, nak with delay, term).
 * Free slots are pulled for in batches of an eighth of `concurrency` (or whatever is free after a 20 ms
 * wait): every pull costs a subscription, a request and its timers, which one pull per finished small file
 * made a visible share of the worker's CPU.
 */
export class TaskConsumer {
  readonly #options: TaskConsumerOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #slotFreed: (() => void) | undefined;
  #pull: ConsumerMessages | undefined;
  #stopping = false;
  #loop: Promise<void> | undefined;

  constructor(options: TaskConsumerOptions) {
    this.#options = options;
  }

  /** Starts pulling. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops pulling, gives the tasks in flight `graceMs` to finish, then aborts the rest (their handlers hand
   * them back to the queue) and waits for them to settle.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#slotFreed?.();
    await this.#pull?.close();
    await this.#loop;
    const settled = Promise.all(this.#inFlight);
    const grace = new AbortController();
    await Promise.race([settled, sleep(this.#options.clock, graceMs, grace.signal)]);
    grace.abort();
    if (this.#inFlight.size > 0) {
      this.#options.logger.info("grace period over: handing unfinished tasks back", {
        tasks: this.#inFlight.size,
      });
      this.#abort.abort();
      await settled;
    }
  }

  async #run(): Promise<void> {
    const { consumer, concurrency, clock, logger } = this.#options;
    const batch = Math.max(1, Math.floor(concurrency / 8));
    let firstFreeAt: number | undefined;
    while (!this.#stopping) {
      const free = concurrency - this.#inFlight.size;
      if (free === 0) {
        firstFreeAt = undefined;
        await this.#slotFreedOrAfter(undefined);
        continue;
      }
      if (free < batch) {
        firstFreeAt ??= clock.now();
        const left = firstFreeAt + pullBatchDelayMs - clock.now();
        if (left > 0) {
          await this.#slotFreedOrAfter(left);
          continue;
        }
      }
      firstFreeAt = undefined;
      try {
        this.#pull = await consumer.fetch({ max_messages: free, expires: pullExpiresMs });
        // A stop that came while the pull was being set up must not wait for it to expire.
        if (this.#stopping) await this.#pull.close();
        for await (const message of this.#pull) {
          if (this.#stopping) message.nak();
          else this.#dispatch(message);
        }
      } catch (error) {
        logger.warn("pulling tasks failed; retrying", { error });
        await sleep(clock, pullErrorBackoffMs);
      } finally {
        this.#pull = undefined;
      }
    }
  }

  /** Resolves when a slot frees (or the consumer stops), or after `delayMs` when given. */
  async #slotFreedOrAfter(delayMs: number | undefined): Promise<void> {
    const { clock } = this.#options;
    let timer: unknown;
    await new Promise<void>((resolve) => {
      this.#slotFreed = resolve;
      if (delayMs !== undefined) timer = clock.setTimeout(resolve, delayMs);
    });
    if (timer !== undefined) clock.clearTimeout(timer);
    this.#slotFreed = undefined;
  }

  #dispatch(message: JsMsg): void {
    const running = this.#process(message).finally(() => {
      this.#inFlight.delete(running);
      this.#options.onInFlight?.(this.#inFlight.size);
      this.#slotFreed?.();
    });
    this.#inFlight.add(running);
    this.#options.onInFlight?.(this.#inFlight.size);
  }

  async #process(message: JsMsg): Promise<void> {
    const { handle, logger, clock, heartbeatMs, unexpectedFailureDelayMs } = this.#options;
    let task: FileTask;
    try {
      task = decodeFileTask(message.string());
    } catch (error) {
      // A malformed task is a bug upstream; redelivering it would fail the same way forever.
      logger.error("malformed file task terminated", { error, subject: message.subject, seq: message.seq });
      message.term(`malformed file task: ${(error as Error).message}`);
      return;
    }
    let timer: unknown;
    const beat = (): void => {
      message.working();
      timer = clock.setTimeout(beat, heartbeatMs);
    };
    timer = clock.setTimeout(beat, heartbeatMs);
    try {
      const disposition = await handle(task, this.#abort.signal);
      settle(message, disposition);
    } catch (error) {
      logger.error("file task failed unexpectedly; it will be redelivered", {
        error,
        importUid: task.importUid,
        fileId: task.fileId,
      });
      message.nak(unexpectedFailureDelayMs);
    } finally {
      clock.clearTimeout(timer);
    }
  }
}

function settle(message: JsMsg, disposition: TaskDisposition): void {
  switch (disposition.action) {
    case "ack":
      // Unconfirmed: a lost ack only brings the task back, and its redelivery finds the row terminal (stale).
      message.ack();
      return;
    case "nak":
      message.nak(disposition.delayMs);
      return;
    case "term":
      message.term(disposition.reason);
      return;
  }
}
