import type { Registry } from "prom-client";
import { systemClock, type Clock } from "./clock.ts";
import { workqueueMetrics, type WorkqueueMetrics } from "./metrics.ts";
import { ItemExponentialRateLimiter } from "./rate-limiter.ts";

export interface WorkQueueOptions {
  /** The `name` label of the `workqueue_*` metrics. */
  name: string;
  /** Where the `workqueue_*` metrics go; none when omitted. */
  registry?: Registry;
  clock?: Clock;
  rateLimiter?: ItemExponentialRateLimiter;
}

/**
 * A keyed work queue with client-go's semantics: a key waiting in the queue is stored once however often
 * it is added; a key being processed is never handed out again until `done`, and a key re-added while
 * processing is queued again at `done`. Delayed and rate-limited adds wait on the injected clock.
 */
export class WorkQueue {
  readonly name: string;
  readonly #clock: Clock;
  readonly #rateLimiter: ItemExponentialRateLimiter;
  readonly #metrics: WorkqueueMetrics | undefined;

  #queue: string[] = [];
  /** Keys that need processing: queued, or re-added while being processed. */
  readonly #dirty = new Set<string>();
  /** Keys handed out by `get` and not yet `done`, with when they were handed out. */
  readonly #processing = new Map<string, number>();
  /** When each dirty key was added, for `workqueue_queue_duration_seconds`. */
  readonly #addedAt = new Map<string, number>();
  /** Keys waiting for `addAfter`'s delay, each with its earliest due time. */
  readonly #waiting = new Map<string, { dueAt: number; timer: unknown }>();
  #getters: Array<() => void> = [];
  #shuttingDown = false;
  #drained: (() => void) | undefined;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#clock = options.clock ?? systemClock;
    this.#rateLimiter = options.rateLimiter ?? new ItemExponentialRateLimiter();
    if (options.registry !== undefined) {
      this.#metrics = workqueueMetrics(options.registry);
      this.#metrics.probe({
        name: this.name,
        depth: () => this.#dirty.size,
        unfinishedWorkSeconds: () => this.#inFlightSeconds().reduce((sum, seconds) => sum + seconds, 0),
        longestRunningProcessorSeconds: () => Math.max(0, ...this.#inFlightSeconds()),
      });
    }
  }

  /** Marks `key` for processing; a no-op if it is already waiting or after shutdown. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#addedAt.set(key, this.#clock.now());
    this.#metrics?.adds.inc({ name: this.name });
    // A key being processed goes back in line at done(), so no two workers ever hold it at once.
    if (this.#processing.has(key)) return;
    this.#queue.push(key);
    this.#getters.shift()?.();
  }

  /** Adds `key` once `delayMs` has passed; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retries.inc({ name: this.name });
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueAt = this.#clock.now() + delayMs;
    const pending = this.#waiting.get(key);
    if (pending !== undefined) {
      if (pending.dueAt <= dueAt) return;
      this.#clock.clearTimeout(pending.timer);
    }
    const timer = this.#clock.setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { dueAt, timer });
  }

  /** Adds `key` after its per-key backoff, which grows with each call until `forget(key)`. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  /** Resets `key`'s backoff (call it when `key` was processed successfully). */
  forget(key: string): void {
    this.#rateLimiter.forget(key);
  }

  /** How many rate-limited re-adds `key` has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#rateLimiter.retries(key);
  }

  /** How many keys wait to be handed out. */
  len(): number {
    return this.#queue.length;
  }

  /**
   * The next key to process, waiting until there is one; `undefined` once the queue shuts down.
   * The caller owns the key until it calls `done(key)`.
   */
  async get(): Promise<string | undefined> {
    for (;;) {
      if (this.#shuttingDown) return undefined;
      const key = this.#queue.shift();
      if (key !== undefined) {
        const now = this.#clock.now();
        this.#dirty.delete(key);
        this.#processing.set(key, now);
        this.#metrics?.queueDuration.observe(
          { name: this.name },
          (now - (this.#addedAt.get(key) ?? now)) / 1000,
        );
        this.#addedAt.delete(key);
        return key;
      }
      await new Promise<void>((resolve) => this.#getters.push(resolve));
    }
  }

  /** Ends processing of `key`; if it was re-added meanwhile, it is queued again now. */
  done(key: string): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.workDuration.observe({ name: this.name }, (this.#clock.now() - startedAt) / 1000);
    if (this.#shuttingDown) {
      if (this.#processing.size === 0) this.#drained?.();
      return;
    }
    if (this.#dirty.has(key)) {
      this.#queue.push(key);
      this.#getters.shift()?.();
    }
  }

  /** Whether `shutDown` has been called. */
  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stops handing out keys and resolves once every key already handed out is `done`. Keys still queued
   * or delayed are dropped, not processed: reconcile is level-based, and the next run (or the next leader)
   * relists them anyway, whereas working through a backlog would delay shutdown or a leadership hand-over.
   */
  shutDown(): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      for (const { timer } of this.#waiting.values()) this.#clock.clearTimeout(timer);
      this.#waiting.clear();
      this.#queue = [];
      this.#dirty.clear();
      this.#addedAt.clear();
      for (const wake of this.#getters) wake();
      this.#getters = [];
    }
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#drained;
      this.#drained = () => {
        previous?.();
        resolve();
      };
    });
  }

  #inFlightSeconds(): number[] {
    const now = this.#clock.now();
    return [...this.#processing.values()].map((startedAt) => (now - startedAt) / 1000);
  }
}
