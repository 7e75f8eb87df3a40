import type { KubernetesListObject, KubernetesObject, V1Status } from "@kubernetes/client-node";
import { statusCodeOf } from "./api-errors.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { KubeClient } from "./kube-client.ts";
import { sleep, systemClock, type Clock } from "./clock.ts";
import type { Logger } from "../log/index.ts";
import { objectKey } from "./object-key.ts";

/** Callbacks for changes the informer sees; they must not block (enqueue a key, nothing more). */
export interface InformerEventHandler<T extends KubernetesObject> {
  add?(object: T): void;
  /** Also called on each resync with both objects at the same resourceVersion, as client-go does. */
  update?(previous: T, current: T): void;
  /** `object` is the last state seen, which may be stale if the deletion was noticed by a relist. */
  delete?(object: T): void;
}

export interface InformerOptions<T extends KubernetesObject> {
  /** Watches the cluster: a KubeClient, or anything with its (client-node's Watch) contract. */
  watch: Pick<KubeClient, "watch">;
  /** The collection URL path, e.g. `/api/v1/namespaces/ns/configmaps` or `/apis/group/version/plural`. */
  path: string;
  /** Lists the same collection with the same selectors (e.g. `() => kube.get(path, { labelSelector })`). */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  /** How often to relist everything and re-deliver every object as an update; 0 disables. Default 10 minutes. */
  resyncPeriodMs?: number;
  /** Server-side watch timeout; default a random 5 to 10 minutes, as client-go's reflector does. */
  watchTimeoutSeconds?: number;
  /** Retry delays after a failed list or watch; default 800 ms doubling to 30 s (client-go's reflector). */
  backoff?: Partial<BackoffOptions>;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
}

type WatchEnd = { kind: "closed" } | { kind: "expired" } | { kind: "error"; error: unknown };

const defaultBackoff: BackoffOptions = { initialMs: 800, maxMs: 30_000, jitter: 0.1 };
const defaultResyncPeriodMs = 10 * 60_000;
// client-go treats a watch that ends this fast without one event as failed, so a server that drops
// connections at once is retried with backoff instead of in a tight loop.
const shortWatchMs = 1_000;

/**
 * A cache of one collection kept current by list + watch. Unlike client-node's ListWatch it never gives
 * up: any watch end re-watches from the last resourceVersion, any error relists after backoff, an expired
 * resourceVersion (410) relists at once, and a periodic relist repairs anything a watch could have missed.
 * Cached objects are plain JSON as the API server sends them (dates are strings), whether they came from
 * the list (typed client-node lists are converted) or the watch; they are shared, so treat them as read-only.
 */
export class Informer<T extends KubernetesObject> {
  readonly #options: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #backoff: BackoffOptions;
  readonly #resyncPeriodMs: number;
  readonly #logger: Logger;

  readonly #items = new Map<string, T>();
  readonly #handlers: InformerEventHandler<T>[] = [];
  /** The resourceVersion to watch from; undefined when the next step must be a list. */
  #resourceVersion: string | undefined;
  readonly #synced = Promise.withResolvers<void>();
  #hasSynced = false;
  #resyncDue = false;
  #resyncTimer: unknown;
  #abortWatch: AbortController | undefined;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: InformerOptions<T>) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#backoff = { ...defaultBackoff, ...options.backoff };
    this.#resyncPeriodMs = options.resyncPeriodMs ?? defaultResyncPeriodMs;
    this.#logger = options.logger.child({ informer: options.path });
  }

  /** Registers `handler`; objects already cached are delivered to it as adds. */
  addEventHandler(handler: InformerEventHandler<T>): void {
    this.#handlers.push(handler);
    for (const object of this.#items.values()) this.#deliver("add", () => handler.add?.(object));
  }

  /** Starts listing and watching in the background; `stop` ends it. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops watching and resolves once the background loop has ended. An informer does not start again. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#abortWatch?.abort();
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    await this.#loop;
  }

  /** Whether the first list has completed, so the cache reflects the cluster. */
  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** Resolves once the first list has completed. */
  whenSynced(): Promise<void> {
    return this.#synced.promise;
  }

  /** The cached object with this key (`namespace/name`, or `name` if cluster-scoped). */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Every cached object, or those in `namespace`. */
  list(namespace?: string): T[] {
    const all = [...this.#items.values()];
    return namespace === undefined ? all : all.filter((object) => object.metadata?.namespace === namespace);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      try {
        if (this.#resourceVersion === undefined || this.#resyncDue) await this.#relist();
        const startedAt = this.#clock.now();
        let events = 0;
        const end = await this.#watchOnce(() => events++);
        if (end.kind === "error") throw end.error;
        if (end.kind === "expired") {
          this.#logger.debug("watch resourceVersion expired; relisting");
          this.#resourceVersion = undefined;
        } else if (events === 0 && this.#clock.now() - startedAt < shortWatchMs && !this.#resyncDue) {
          throw new Error("very short watch: the watch ended at once without any event");
        }
        failures = 0;
      } catch (error) {
        if (this.#stop.signal.aborted) break;
        const delayMs = Math.round(backoffDelay(failures++, this.#backoff, this.#random));
        this.#logger.warn("list/watch failed; relisting after backoff", { error, delayMs, failures });
        this.#resourceVersion = undefined;
        await sleep(this.#clock, delayMs, this.#stop.signal);
      }
    }
  }

  /** Replaces the cache with a fresh list, delivering the differences (and, on resync, every object). */
  async #relist(): Promise<void> {
    const resync = this.#resyncDue;
    const list = await this.#options.list();
    if (this.#stop.signal.aborted) return;
    const fresh = new Map<string, T>();
    for (const item of list.items) {
      const object = asWatchedObject(item, list);
      fresh.set(objectKey(object), object);
    }
    for (const [key, previous] of this.#items) {
      if (fresh.has(key)) continue;
      this.#items.delete(key);
      this.#emit("delete", (handler) => handler.delete?.(previous));
    }
    for (const [key, current] of fresh) {
      const previous = this.#items.get(key);
      this.#items.set(key, current);
      if (previous === undefined) this.#emit("add", (handler) => handler.add?.(current));
      else if (resync || previous.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
        this.#emit("update", (handler) => handler.update?.(previous, current));
      }
    }
    this.#resourceVersion = list.metadata?.resourceVersion ?? "";
    if (resync) this.#resyncDue = false;
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#synced.resolve();
      this.#logger.debug("cache synced", { objects: this.#items.size });
    }
    this.#scheduleResync();
  }

  #scheduleResync(): void {
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    if (this.#resyncPeriodMs <= 0) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      this.#resyncDue = true;
      this.#abortWatch?.abort();
    }, this.#resyncPeriodMs);
  }

  /** Runs one watch from the current resourceVersion until it ends, applying its events to the cache. */
  #watchOnce(onEvent: () => void): Promise<WatchEnd> {
    const { path, labelSelector, fieldSelector } = this.#options;
    const timeoutSeconds = this.#options.watchTimeoutSeconds ?? Math.floor(300 * (1 + this.#random()));
    const query = {
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      labelSelector,
      fieldSelector,
    };
    return new Promise((resolve) => {
      let ended = false;
      let expired = false;
      let streamError: Error | undefined;
      const handleEvent = (type: string, object: unknown): void => {
        if (ended || this.#stop.signal.aborted) return;
        if (type === "ERROR") {
          // The server reports a failed watch as an ERROR event carrying a Status, then closes the stream.
          const status = object as V1Status;
          if (status.code === 410) expired = true;
          else
            streamError = new Error(
              `watch failed: ${status.code ?? "?"} ${status.message ?? status.reason ?? ""}`,
            );
          return;
        }
        const item = object as T;
        if (type === "ADDED" || type === "MODIFIED") this.#upsert(item);
        else if (type === "DELETED") this.#remove(item);
        else if (type !== "BOOKMARK") return;
        this.#resourceVersion = item.metadata?.resourceVersion ?? this.#resourceVersion;
        onEvent();
      };
      const handleDone = (error: unknown): void => {
        if (ended) return;
        ended = true;
        this.#abortWatch = undefined;
        if (expired || statusCodeOf(error) === 410) resolve({ kind: "expired" });
        else if (streamError !== undefined) resolve({ kind: "error", error: streamError });
        // Our own abort (stop or resync), a server-side timeout, and the watch's inactivity timeout
        // (a TimeoutError after 30 s without bytes) all just end this watch.
        else if (error === null || error === undefined || this.#stop.signal.aborted || this.#resyncDue) {
          resolve({ kind: "closed" });
        } else if ((error as { name?: unknown }).name === "TimeoutError") resolve({ kind: "closed" });
        else resolve({ kind: "error", error });
      };
      this.#options.watch.watch(path, query, handleEvent, handleDone).then(
        (controller) => {
          if (ended) return;
          this.#abortWatch = controller;
          if (this.#stop.signal.aborted || this.#resyncDue) controller.abort();
        },
        (error: unknown) => handleDone(error ?? new Error("watch failed to start")),
      );
    });
  }

  #upsert(object: T): void {
    const key = objectKey(object);
    const previous = this.#items.get(key);
    this.#items.set(key, object);
    if (previous === undefined) this.#emit("add", (handler) => handler.add?.(object));
    else this.#emit("update", (handler) => handler.update?.(previous, object));
  }

  #remove(object: T): void {
    const key = objectKey(object);
    this.#items.delete(key);
    this.#emit("delete", (handler) => handler.delete?.(object));
  }

  #emit(event: string, call: (handler: InformerEventHandler<T>) => void): void {
    for (const handler of this.#handlers) this.#deliver(event, () => call(handler));
  }

  // A throwing handler must not stop the informer or starve the other handlers.
  #deliver(event: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#logger.error("event handler threw", { event, error });
    }
  }
}

/**
 * A listed item in the form the watch delivers: plain JSON (client-node's typed lists hold class instances
 * with Date fields), with the apiVersion and kind that typed lists leave off their items.
 */
function asWatchedObject<T extends KubernetesObject>(item: T, list: KubernetesListObject<T>): T {
  const object = JSON.parse(JSON.stringify(item)) as T;
  object.apiVersion ??= list.apiVersion;
  object.kind ??= list.kind?.replace(/List$/, "");
  return object;
}
