import { findCondition, patchStatus, setCondition, statusCodeOf } from "../lib/controller-runtime/index.ts";
import type { Clock, KubeClient } from "../lib/controller-runtime/index.ts";
import {
  ConditionType,
  imageImportApi,
  Reason,
  type Condition,
  type ImageImportStatus,
  type StoredImageImport,
} from "../lib/imageimport/index.ts";

/**
 * The status as one reconcile rebuilds it, and how it is written. Owns status.phase (derived from the
 * conditions, for printer columns only) and status.observedGeneration; each concern sets its own
 * conditions and fields on the draft.
 */

export type ImportPhase = NonNullable<ImageImportStatus["phase"]>;
type ConditionStatus = Condition["status"];

/** A metav1.Time: RFC 3339 in whole seconds, as the API server stores it. */
export function timestamp(date: Date | number): string {
  return new Date(date).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Whether the import has ended: Succeeded is True (completed) or False (failed or cancelled). */
export function isFinished(status: ImageImportStatus | undefined): boolean {
  const succeeded = findCondition(status?.conditions, ConditionType.Succeeded);
  return succeeded !== undefined && succeeded.status !== "Unknown";
}

/** The one-word phase the conditions add up to. */
export function derivePhase(status: ImageImportStatus): ImportPhase {
  const succeeded = findCondition(status.conditions, ConditionType.Succeeded);
  if (succeeded?.status === "True") return "Succeeded";
  if (succeeded?.status === "False") return succeeded.reason === Reason.Cancelled ? "Cancelled" : "Failed";
  // Cancelled at once, even while files in flight are still finishing.
  if (findCondition(status.conditions, ConditionType.Cancelled)?.status === "True") return "Cancelled";
  if (findCondition(status.conditions, ConditionType.Suspended)?.status === "True") return "Suspended";
  // Waiting for a Secret, a key, a bucket or Drive before any file was found: nothing moves yet.
  const blocked =
    (status.progress?.total ?? 0) === 0 &&
    [ConditionType.SourceReady, ConditionType.DestinationReady].some(
      (type) => findCondition(status.conditions, type)?.status === "False",
    );
  if (blocked) return "Pending";
  if (findCondition(status.conditions, ConditionType.Listing)?.status === "True") return "Listing";
  return status.startTime === undefined ? "Pending" : "Running";
}

/** Fields that change all the time while files move; written at most once per status interval. */
const progressFields = new Set<keyof ImageImportStatus>(["progress", "failures", "listing"]);

/** A status being rebuilt from the world during one reconcile. */
export class StatusDraft {
  readonly #original: ImageImportStatus;
  readonly #generation: number | undefined;
  readonly #now: Date;
  #status: ImageImportStatus;
  readonly #cleared = new Set<keyof ImageImportStatus>();

  constructor(current: ImageImportStatus | undefined, generation: number | undefined, now: Date) {
    this.#original = structuredClone(current ?? {});
    this.#status = structuredClone(current ?? {});
    this.#generation = generation;
    this.#now = now;
  }

  get status(): Readonly<ImageImportStatus> {
    return this.#status;
  }

  get now(): Date {
    return this.#now;
  }

  condition(type: ConditionType, status: ConditionStatus, reason: string, message: string): void {
    const update = { type, status, reason, message };
    const withGeneration =
      this.#generation === undefined ? update : { ...update, observedGeneration: this.#generation };
    this.#status.conditions = setCondition(this.#status.conditions, withGeneration, this.#now);
  }

  /** Removes a condition that no longer applies. */
  dropCondition(type: ConditionType): void {
    if (this.#status.conditions === undefined) return;
    this.#status.conditions = this.#status.conditions.filter((condition) => condition.type !== type);
  }

  conditionOf(type: ConditionType): Condition | undefined {
    return findCondition(this.#status.conditions, type);
  }

  set<K extends keyof ImageImportStatus>(field: K, value: ImageImportStatus[K]): void {
    this.#status[field] = value;
    this.#cleared.delete(field);
  }

  /** Removes a field (sent as null, which a merge patch reads as "delete"). */
  clear(field: keyof ImageImportStatus): void {
    if (this.#status[field] === undefined) return;
    delete this.#status[field];
    this.#cleared.add(field);
  }

  /** The status to write, with phase and observedGeneration derived. */
  build(): ImageImportStatus {
    const status: ImageImportStatus = { ...this.#status, phase: derivePhase(this.#status) };
    if (this.#generation !== undefined) status.observedGeneration = this.#generation;
    return status;
  }

  /** The merge patch body: the whole status, with removed fields as null. */
  patch(): Record<string, unknown> {
    const patch: Record<string, unknown> = { ...this.build() };
    for (const field of this.#cleared) patch[field] = null;
    return patch;
  }

  /** "milestone" when anything but the moving counters changed, "progress" when only they did. */
  change(): "none" | "progress" | "milestone" {
    const next = this.build();
    const keys = new Set([...Object.keys(this.#original), ...Object.keys(next)]) as Set<
      keyof ImageImportStatus
    >;
    let change: "none" | "progress" = "none";
    for (const key of keys) {
      if (JSON.stringify(this.#original[key]) === JSON.stringify(next[key])) continue;
      if (!progressFields.has(key) || listingCompletionChanged(key, this.#original, next)) return "milestone";
      change = "progress";
    }
    return change;
  }
}

function listingCompletionChanged(
  key: keyof ImageImportStatus,
  before: ImageImportStatus,
  after: ImageImportStatus,
): boolean {
  return key === "listing" && before.listing?.complete !== after.listing?.complete;
}

export interface StatusWriterOptions {
  kube: KubeClient;
  clock: Clock;
  /** Least time between two progress-only writes of one import. */
  progressIntervalMs: number;
}

/**
 * Writes status through the status subresource (a JSON merge patch with an explicit content type, see
 * patchStatus): milestones at once, counter-only changes at most once per interval per import. Remembers
 * the object each write returned, so a reconcile that runs before the informer has seen the write starts
 * from what was written, not from the stale cache.
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  readonly #lastWriteAt = new Map<string, number>();
  readonly #written = new Map<string, StoredImageImport>();

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  /** `cached`, or the object our last write returned if the cache has not caught up with it yet. */
  freshest(cached: StoredImageImport): StoredImageImport {
    const written = this.#written.get(cached.metadata.uid);
    if (written === undefined) return cached;
    if (resourceVersionOrder(written, cached) > 0) return written;
    this.#written.delete(cached.metadata.uid);
    return cached;
  }

  /**
   * Writes the draft if it changed (a milestone at once; counters when the interval has passed, or when
   * `exact`). Returns whether it wrote; false also when the object is gone.
   */
  async write(
    object: StoredImageImport,
    draft: StatusDraft,
    options: { exact?: boolean } = {},
  ): Promise<boolean> {
    const change = draft.change();
    if (change === "none") return false;
    const uid = object.metadata.uid;
    const now = this.#options.clock.now();
    const last = this.#lastWriteAt.get(uid);
    if (
      change === "progress" &&
      options.exact !== true &&
      last !== undefined &&
      now - last < this.#options.progressIntervalMs
    ) {
      return false;
    }
    const { group, version, plural } = imageImportApi;
    try {
      const updated = (await patchStatus(
        this.#options.kube,
        { group, version, plural, namespace: object.metadata.namespace, name: object.metadata.name },
        draft.patch(),
      )) as StoredImageImport;
      this.#written.set(uid, updated);
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
    this.#lastWriteAt.set(uid, now);
    return true;
  }

  /** Forgets an import that is gone. */
  forget(uid: string): void {
    this.#lastWriteAt.delete(uid);
    this.#written.delete(uid);
  }
}

/** >0 when `a` is newer than `b`. resourceVersions are opaque, but etcd's are integers; unknown forms compare equal. */
function resourceVersionOrder(a: StoredImageImport, b: StoredImageImport): number {
  const left = Number(a.metadata.resourceVersion);
  const right = Number(b.metadata.resourceVersion);
  return Number.isFinite(left) && Number.isFinite(right) ? left - right : 0;
}
