import type { CoreV1Event, KubernetesObject } from "@kubernetes/client-node";
import { statusCodeOf } from "./api-errors.ts";
import type { KubeClient } from "./kube-client.ts";
import { systemClock, type Clock } from "./clock.ts";
import type { Logger } from "../log/index.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  kube: KubeClient;
  /** `source.component` and `reportingComponent`, e.g. `imagesync-operator`. */
  component: string;
  /** `reportingInstance`, e.g. the pod name. */
  instance?: string;
  logger: Logger;
  clock?: Clock;
  /** How many distinct events to remember for aggregation; default 4096 (client-go's cache size). */
  cacheSize?: number;
}

interface RecordedEvent {
  name: string;
  namespace: string;
  count: number;
}

// The API server rejects longer event notes (events.k8s.io's limit; core/v1 shares its storage).
const maxMessageLength = 1024;

/**
 * Records core/v1 Events about objects. Repeating an identical event (same object, type, reason and
 * message) bumps `count` and `lastTimestamp` of the Event already written instead of creating another,
 * like client-go's EventCorrelator. Recording never throws: a failure is logged and reconcile goes on.
 */
export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #cacheSize: number;
  /** Most recently used last (a Map keeps insertion order), so the first entry is the one to evict. */
  readonly #recent = new Map<string, RecordedEvent>();
  /** The write in progress per event key, so concurrent identical events are counted, not created twice. */
  readonly #pending = new Map<string, Promise<void>>();

  constructor(options: EventRecorderOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#cacheSize = options.cacheSize ?? 4096;
  }

  /** Records an event about `object`; `reason` should be a stable CamelCase constant. Never rejects. */
  record(object: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const note = message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 3)}...` : message;
    const { apiVersion, kind, metadata } = object;
    const key = JSON.stringify([
      apiVersion,
      kind,
      metadata?.namespace,
      metadata?.name,
      metadata?.uid,
      type,
      reason,
      note,
    ]);
    const previous = this.#pending.get(key) ?? Promise.resolve();
    const write = previous
      .then(() => this.#write(key, object, type, reason, note))
      .catch((error: unknown) => {
        this.#options.logger.error("could not record event", {
          error,
          reason,
          object: `${kind ?? "?"} ${metadata?.namespace ?? ""}/${metadata?.name ?? ""}`,
        });
      })
      .finally(() => {
        if (this.#pending.get(key) === write) this.#pending.delete(key);
      });
    this.#pending.set(key, write);
    return write;
  }

  async #write(
    key: string,
    object: KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date(this.#clock.now());
    const seen = this.#recent.get(key);
    if (seen !== undefined) {
      try {
        await this.#options.kube.mergePatch(`${eventsPath(seen.namespace)}/${seen.name}`, {
          count: seen.count + 1,
          lastTimestamp: now,
        });
        this.#remember(key, { ...seen, count: seen.count + 1 });
        return;
      } catch (error) {
        // Events expire (one hour by default); start a new one. Anything else is a real failure.
        if (statusCodeOf(error) !== 404) throw error;
        this.#recent.delete(key);
      }
    }
    const created = await this.#options.kube.create<CoreV1Event>(
      eventsPath(eventNamespace(object)),
      this.#newEvent(object, type, reason, message, now),
    );
    this.#remember(key, { name: created.metadata.name ?? "", namespace: eventNamespace(object), count: 1 });
  }

  #newEvent(
    object: KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
    now: Date,
  ): CoreV1Event {
    const { component, instance } = this.#options;
    const metadata = object.metadata ?? {};
    return {
      // The server appends a random suffix, so two events about one object in the same instant cannot collide.
      metadata: { generateName: `${metadata.name ?? "object"}.` },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: metadata.namespace,
        name: metadata.name,
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component },
      reportingComponent: component,
      reportingInstance: instance,
    };
  }

  #remember(key: string, event: RecordedEvent): void {
    this.#recent.delete(key);
    this.#recent.set(key, event);
    if (this.#recent.size > this.#cacheSize) {
      const oldest = this.#recent.keys().next();
      if (oldest.done !== true) this.#recent.delete(oldest.value);
    }
  }
}

// Events about cluster-scoped objects go to "default", as client-go does.
function eventNamespace(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace;
  return namespace === undefined || namespace === "" ? "default" : namespace;
}

function eventsPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/events`;
}
