import type { KubernetesObject } from "@kubernetes/client-node";
import type { Registry } from "prom-client";
import { systemClock, type Clock } from "./clock.ts";
import type { Informer } from "./informer.ts";
import type { Logger } from "../log/index.ts";
import { controllerMetrics, type ControllerMetrics } from "./metrics.ts";
import { objectKey } from "./object-key.ts";
import type { ItemExponentialRateLimiter } from "./rate-limiter.ts";
import { WorkQueue } from "./work-queue.ts";

/**
 * What a reconcile asks for next. Nothing: done until the next change. `requeueAfterMs`: look again
 * after that long (polling external state). `requeue`: look again after the key's backoff.
 */
export type ReconcileResult = { requeue?: boolean; requeueAfterMs?: number } | undefined | void;

/** Brings the object named by `key` to its desired state; throwing requeues the key with backoff. */
export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult> | ReconcileResult;

export interface ControllerOptions {
  /** The `controller` label of the metrics and the `name` label of its queue's. */
  name: string;
  reconcile: Reconciler;
  /** How many keys are reconciled at once (never the same key twice); default 1. */
  maxConcurrentReconciles?: number;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  rateLimiter?: ItemExponentialRateLimiter;
}

type Result = "success" | "error" | "requeue" | "requeue_after";

/**
 * Runs a reconciler over a keyed work queue with controller-runtime's semantics and metrics: events
 * only enqueue keys, bounded workers reconcile them, errors back off per key, success forgets the key.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #reconcile: Reconciler;
  readonly #workers: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: ControllerMetrics;
  readonly #informers: Array<Pick<Informer<KubernetesObject>, "whenSynced">> = [];
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#reconcile = options.reconcile;
    this.#workers = options.maxConcurrentReconciles ?? 1;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger.child({ controller: options.name });
    this.queue = new WorkQueue({
      name: options.name,
      registry: options.registry,
      clock: this.#clock,
      rateLimiter: options.rateLimiter,
    });
    this.#metrics = controllerMetrics(options.registry);
    // Zero-valued series from the start, as controller-runtime does, so rate() and alerts see them.
    for (const result of ["success", "error", "requeue", "requeue_after"] satisfies Result[]) {
      this.#metrics.reconcileTotal.inc({ controller: this.name, result }, 0);
    }
    this.#metrics.reconcileErrors.inc({ controller: this.name }, 0);
    this.#metrics.activeWorkers.set({ controller: this.name }, 0);
    this.#metrics.maxConcurrentReconciles.set({ controller: this.name }, this.#workers);
  }

  /**
   * Enqueues the keys `keysOf` maps each added, updated (or resynced) and deleted object to; by default the
   * object's own key. Workers start only once every watched informer has synced.
   */
  watch<T extends KubernetesObject>(
    informer: Informer<T>,
    keysOf: (object: T) => string[] = (o) => [objectKey(o)],
  ): void {
    this.#informers.push(informer);
    const enqueue = (object: T): void => {
      for (const key of keysOf(object)) this.queue.add(key);
    };
    informer.addEventHandler({
      add: enqueue,
      update: (_previous, current) => enqueue(current),
      delete: enqueue,
    });
  }

  /** Waits for the watched informers to sync, then runs the workers until `stop`. */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops taking keys, lets in-flight reconciles finish (their signal is aborted) and resolves when they have. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.queue.shutDown();
    await this.#running;
  }

  async #run(): Promise<void> {
    const stopped = new Promise<void>((resolve) =>
      this.#stop.signal.addEventListener("abort", () => resolve()),
    );
    await Promise.race([Promise.all(this.#informers.map((informer) => informer.whenSynced())), stopped]);
    if (this.#stop.signal.aborted) return;
    this.#logger.info("starting workers", { workers: this.#workers });
    await Promise.all(Array.from({ length: this.#workers }, () => this.#work()));
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #reconcileKey(key: string): Promise<void> {
    const labels = { controller: this.name };
    const startedAt = this.#clock.now();
    this.#metrics.activeWorkers.inc(labels);
    let result: Result;
    try {
      const outcome = await this.#reconcile(key, this.#stop.signal);
      if (outcome?.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
        // A requested delay is a schedule, not a failure: the backoff starts over.
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.requeueAfterMs);
        result = "requeue_after";
      } else if (outcome?.requeue === true) {
        this.queue.addRateLimited(key);
        result = "requeue";
      } else {
        this.queue.forget(key);
        result = "success";
      }
    } catch (error) {
      this.queue.addRateLimited(key);
      result = "error";
      this.#metrics.reconcileErrors.inc(labels);
      this.#logger.error("reconcile failed; requeued with backoff", {
        key,
        error,
        retries: this.queue.numRequeues(key),
      });
    } finally {
      this.#metrics.activeWorkers.dec(labels);
      this.#metrics.reconcileTime.observe(labels, (this.#clock.now() - startedAt) / 1000);
    }
    this.#metrics.reconcileTotal.inc({ ...labels, result });
  }
}
