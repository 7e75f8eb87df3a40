import {
  customResourcePath,
  ItemExponentialRateLimiter,
  statusCodeOf,
  type ReconcileResult,
} from "../lib/controller-runtime/index.ts";
import {
  ConditionType,
  imageImportApi,
  parseFolderUrl,
  Reason,
  type DriveFolderRef,
  type StoredImageImport,
} from "../lib/imageimport/index.ts";
import { completionOutcome, finishImport } from "./completion.ts";
import type { ControllerContext, ImportView } from "./context.ts";
import { deadlineExceeded } from "./deadline.ts";
import { applyDestinationCondition, destinationOf } from "./destination.ts";
import { addFinalizer, finalizeDeletedImport, hasFinalizer } from "./finalizer.ts";
import { ensureImportRecord, recordImportState } from "./import-record.ts";
import { applyListingComplete, applyListingInProgress } from "./listing.ts";
import { countFilesByState, progressFromCounts, recentFailures, type FileCounts } from "./progress.ts";
import { publishBudget, publishPendingFiles } from "./publishing.ts";
import { retryRequested, startRetry } from "./retry.ts";
import { applyMissingKey, applySourceCondition } from "./source.ts";
import { isFinished, StatusDraft, timestamp } from "./status.ts";
import { ImportStopper, type StopCause } from "./stopping.ts";
import { holdSuspendedImport, resumeIfSuspended } from "./suspend.ts";
import { nextSyncAt, startSync } from "./sync.ts";
import { returnOrphanedRows } from "./task-purge.ts";
import { ttlExpiry } from "./ttl.ts";

/**
 * The ImageImport reconcile: a script of guard clauses, each step in the file that owns it. Level-based:
 * every run recomputes from the object, PostgreSQL and the stream, so it may run any number of times.
 */
export class ImageImportReconciler {
  readonly #ctx: ControllerContext;
  readonly #get: (key: string) => StoredImageImport | undefined;
  readonly #stopper = new ImportStopper();
  /** Backoff while a Secret, key or bucket is missing: 1 s doubling, capped so a fix is noticed within 30 s. */
  readonly #dependencyBackoff = new ItemExponentialRateLimiter({ initialMs: 1_000, maxMs: 30_000 });
  /** The uid last seen under each key, to stop the work of an import that vanished. */
  readonly #uidByKey = new Map<string, string>();

  constructor(ctx: ControllerContext, get: (key: string) => StoredImageImport | undefined) {
    this.#ctx = ctx;
    this.#get = get;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const ctx = this.#ctx;
    const cached = this.#get(key);
    if (cached === undefined) return this.#forgetVanished(key);
    const object = ctx.status.freshest(cached);
    this.#uidByKey.set(key, object.metadata.uid);
    if (object.metadata.deletionTimestamp !== undefined) return this.#finalize(object);
    if (!hasFinalizer(object)) await addFinalizer(ctx, object);

    const source = parseFolderUrl(object.spec.source.googleDrive.folderUrl);
    const view = await this.#view(key, object, source.ok ? source.folder : { folderId: "" });
    const draft = new StatusDraft(object.status, object.metadata.generation, new Date(ctx.clock.now()));
    draft.set("destination", view.destination);

    if (isFinished(object.status)) return this.#reconcileFinished(view, draft);
    if (!source.ok) {
      const { message } = source;
      return this.#stop(view, draft, { reason: Reason.NotAFolder, message, fileMessage: message });
    }
    if (view.spec.cancel === true) return this.#cancel(view, draft);
    if (view.spec.suspend === true) return this.#holdSuspended(view, draft);
    resumeIfSuspended(draft);
    await this.#markRunning(view, draft);
    const deadline = deadlineExceeded(view.spec, draft.status, ctx.clock.now());
    if (deadline !== undefined) return this.#stop(view, draft, deadline);
    const counts = await this.#countFiles(view);
    const tooMany = tooManyFailedFiles(view, counts);
    if (tooMany !== undefined) return this.#stop(view, draft, tooMany);

    const apiKey = await ctx.credentials.ensure(object);
    if (!apiKey.ok) {
      applyMissingKey(draft, apiKey);
      return this.#waitForDependency(view, draft, counts);
    }
    if (!(await this.#destinationReady(view, draft))) return this.#waitForDependency(view, draft, counts);
    this.#dependencyBackoff.forget(key);

    const listing = this.#followListing(view, draft, apiKey.apiKey);
    if (listing.failure !== undefined) return this.#stop(view, draft, listing.failure);
    return this.#run(view, draft, counts, listing, signal);
  }

  /** The import's parsed source, destination and row (created on first sight). */
  async #view(key: string, object: StoredImageImport, folder: DriveFolderRef): Promise<ImportView> {
    const destination = destinationOf(object, this.#ctx.settings.defaultBucket);
    const record = await ensureImportRecord(this.#ctx.db, object, folder.folderId, destination);
    return { object, spec: object.spec, uid: object.metadata.uid, key, folder, destination, record };
  }

  /**
   * The running import's step: publish into the open window, aggregate progress, end the import once every
   * file has ended, and say when to look again.
   */
  async #run(
    view: ImportView,
    draft: StatusDraft,
    listed: FileCounts,
    listing: ListingProgress,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const ctx = this.#ctx;
    const parallelism = view.spec.parallelism ?? 1000;
    const budget = publishBudget(parallelism, listed);
    const { published, timedOut } =
      budget === 0
        ? { published: 0, timedOut: false }
        : await publishPendingFiles(
            {
              db: ctx.db,
              publisher: ctx.publisher,
              topology: ctx.topology,
              clock: ctx.clock,
              chunkSize: ctx.settings.publishChunkSize,
              timeBudgetMs: ctx.settings.publishTimeBudgetMs,
              onPublished: (count) => ctx.metrics.tasksPublished.inc(count),
            },
            {
              importUid: view.uid,
              bucket: view.destination.bucket,
              maxAttempts: (view.spec.backoffLimitPerFile ?? 4) + 1,
            },
            budget,
            signal,
          );
    const counts = { ...listed, pending: listed.pending - published, queued: listed.queued + published };
    await this.#setProgress(view, draft, counts);

    const outcome = completionOutcome(listing.complete, counts);
    if (outcome !== undefined) {
      await finishImport(ctx, view, draft, outcome);
      await this.#write(view, draft, true);
      return { requeueAfterMs: ctx.settings.pollIntervalMs };
    }
    await recordImportState(ctx.db, view.uid, listing.complete ? "running" : "listing");
    await this.#write(view, draft);
    if (timedOut) return { requeueAfterMs: 1 };
    // Workers emptied at least half the window since the last look: look again sooner to keep them busy.
    const draining = budget * 2 >= parallelism && counts.pending > 0;
    const poll = draining ? ctx.settings.pollIntervalMs / 4 : ctx.settings.pollIntervalMs;
    const untilRetry =
      listing.retryAt === undefined ? Infinity : Math.max(1, listing.retryAt - ctx.clock.now());
    return { requeueAfterMs: Math.min(poll, untilRetry) };
  }

  /**
   * Where the folder's listing stands (the listing runner walks it in the background) and what the Listing
   * and SourceReady conditions say about it. A source that cannot be read for good stops the import.
   */
  #followListing(view: ImportView, draft: StatusDraft, apiKey: string): ListingProgress {
    const { record, spec } = view;
    if (record.listing_completed_at !== null) {
      applyListingComplete(draft, record.folders_listed);
      applySourceCondition(draft, undefined);
      return { complete: true };
    }
    const source = spec.source.googleDrive;
    const listing = this.#ctx.listings.ensure({
      key: view.key,
      importUid: view.uid,
      round: record.listing_round,
      folder: view.folder,
      apiKey,
      recursive: source.recursive ?? true,
      filter: { mimeTypes: source.mimeTypes ?? ["image/*"], maxFileSizeBytes: source.maxFileSizeBytes },
      prefix: view.destination.prefix,
    });
    switch (listing.kind) {
      case "complete":
        applyListingComplete(draft, listing.foldersListed);
        applySourceCondition(draft, undefined);
        return { complete: true };
      case "running":
        applyListingInProgress(draft, view.folder.folderId, listing.foldersListed);
        if (listing.folderResolved) applySourceCondition(draft, undefined);
        return { complete: false };
      case "failed": {
        applyListingInProgress(draft, view.folder.folderId, 0);
        const { problem } = listing;
        if (problem === undefined) return { complete: false, retryAt: listing.retryAt };
        applySourceCondition(draft, problem, listing.retryAt);
        if (problem.retryable) return { complete: false, retryAt: listing.retryAt };
        const failure = {
          reason: problem.reason,
          message: problem.message,
          fileMessage: `not imported: ${problem.message}`,
        };
        return { complete: false, failure };
      }
    }
  }

  /** Counts the import's files, after handing rows whose task a purge removed back to pending. */
  async #countFiles(view: ImportView): Promise<FileCounts> {
    if (view.record.tasks_purged_at !== null) await returnOrphanedRows(this.#ctx.db, view.uid);
    return countFilesByState(this.#ctx.db, view.uid);
  }

  /** DestinationReady from the bucket check; true when the bucket answers or nothing checks it. */
  async #destinationReady(view: ImportView, draft: StatusDraft): Promise<boolean> {
    const check = this.#ctx.bucketCheck;
    if (check === undefined) return true;
    const { bucket } = view.destination;
    return applyDestinationCondition(draft, bucket, await check(bucket));
  }

  async #finalize(object: StoredImageImport): Promise<undefined> {
    await finalizeDeletedImport(this.#ctx, object);
    this.#stopper.forget(object.metadata.uid);
    return undefined;
  }

  /** A finished import: TTL deletion, a requested retry, the next re-sync, or nothing until one is due. */
  async #reconcileFinished(view: ImportView, draft: StatusDraft): Promise<ReconcileResult> {
    const ctx = this.#ctx;
    const now = ctx.clock.now();
    const status = view.object.status;
    const expiry = ttlExpiry(view.spec, status);
    if (expiry !== undefined && now >= expiry) {
      await this.#deleteExpired(view);
      return undefined;
    }
    const succeeded = draft.conditionOf(ConditionType.Succeeded);
    const cancelled = succeeded?.reason === Reason.Cancelled || view.spec.cancel === true;
    if (!cancelled && retryRequested(view.spec, status)) {
      await startRetry(ctx, view, draft);
      await this.#write(view, draft, true);
      return { requeueAfterMs: 1 };
    }
    const nextSync = succeeded?.status === "True" ? nextSyncAt(view.spec, status) : undefined;
    if (nextSync !== undefined && now >= nextSync) {
      await startSync(ctx, view, draft);
      await this.#write(view, draft, true);
      return { requeueAfterMs: 1 };
    }
    await this.#write(view, draft, true);
    const due = [expiry, nextSync].filter((at): at is number => at !== undefined);
    return due.length === 0 ? undefined : { requeueAfterMs: Math.max(1, Math.min(...due) - now) };
  }

  /** spec.cancel: Cancelled at once, then the stop runs to its end. */
  #cancel(view: ImportView, draft: StatusDraft): Promise<ReconcileResult> {
    draft.condition(
      ConditionType.Cancelled,
      "True",
      Reason.Cancelled,
      "spec.cancel is true: queued files are dropped, files in flight finish, files already stored stay",
    );
    const message = "the import was cancelled (spec.cancel)";
    return this.#stop(view, draft, {
      reason: Reason.Cancelled,
      message,
      fileMessage: `not imported: ${message}`,
    });
  }

  /** One step of ending the import early; finishes it once no file is in flight. */
  async #stop(view: ImportView, draft: StatusDraft, cause: StopCause): Promise<ReconcileResult> {
    const ctx = this.#ctx;
    const progress = await this.#stopper.step(ctx, view, cause);
    await this.#setProgress(view, draft, progress.counts);
    if (!progress.finished) {
      if (draft.conditionOf(ConditionType.Listing)?.status === "True") {
        draft.condition(ConditionType.Listing, "False", cause.reason, `listing stopped: ${cause.message}`);
      }
      await this.#write(view, draft);
      return { requeueAfterMs: progress.waitMs };
    }
    await finishImport(ctx, view, draft, { succeeded: false, reason: cause.reason, message: cause.message });
    await this.#write(view, draft, true);
    return { requeueAfterMs: ctx.settings.pollIntervalMs };
  }

  async #holdSuspended(view: ImportView, draft: StatusDraft): Promise<ReconcileResult> {
    const counts = await holdSuspendedImport(this.#ctx, view, draft);
    await this.#setProgress(view, draft, counts);
    await this.#write(view, draft, true);
    // Files in flight may still be handed back; look again until none is.
    return counts.in_progress > 0 ? { requeueAfterMs: this.#ctx.settings.pollIntervalMs * 5 } : undefined;
  }

  /** A Secret, key or bucket the import needs is missing: say so and look again with backoff. */
  async #waitForDependency(
    view: ImportView,
    draft: StatusDraft,
    counts: FileCounts,
  ): Promise<ReconcileResult> {
    await this.#setProgress(view, draft, counts);
    await this.#write(view, draft);
    return { requeueAfterMs: this.#dependencyBackoff.when(view.key) };
  }

  /** The first run (or a resume): startTime, the row's state, and Succeeded=Unknown while it runs. */
  async #markRunning(view: ImportView, draft: StatusDraft): Promise<void> {
    if (draft.status.startTime === undefined) {
      draft.set("startTime", timestamp(draft.now));
      await recordImportState(this.#ctx.db, view.uid, "listing");
    }
    if (draft.status.retryGeneration === undefined)
      draft.set("retryGeneration", view.spec.retryGeneration ?? 0);
    const succeeded = draft.conditionOf(ConditionType.Succeeded);
    const keepsReason =
      succeeded?.reason === Reason.RetryingFailedFiles || succeeded?.reason === Reason.SyncStarted;
    if (succeeded === undefined || !keepsReason) {
      draft.condition(ConditionType.Succeeded, "Unknown", Reason.Running, "the import is running");
    }
  }

  async #setProgress(view: ImportView, draft: StatusDraft, counts: FileCounts): Promise<void> {
    draft.set("progress", progressFromCounts(counts));
    if (counts.failed > 0) draft.set("failures", await recentFailures(this.#ctx.db, view.uid));
    else draft.clear("failures");
  }

  async #write(view: ImportView, draft: StatusDraft, exact = false): Promise<void> {
    const ctx = this.#ctx;
    if (!(await ctx.status.write(view.object, draft, { exact }))) return;
    ctx.metrics.statusWrites.inc();
    await ctx.events.milestones(view.object, draft.build());
  }

  async #deleteExpired(view: ImportView): Promise<void> {
    const ctx = this.#ctx;
    const seconds = view.spec.ttlSecondsAfterFinished ?? 0;
    await ctx.events.record(view.object, {
      type: "Normal",
      reason: Reason.TtlExpired,
      message: `deleting the ImageImport ${seconds}s after it finished (ttlSecondsAfterFinished); stored images and their records stay`,
    });
    const { namespace, name, uid } = view.object.metadata;
    const { group, version, plural } = imageImportApi;
    try {
      await ctx.kube.delete(customResourcePath({ group, version, plural, namespace, name }), {
        preconditions: { uid },
      });
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
  }

  async #forgetVanished(key: string): Promise<undefined> {
    const uid = this.#uidByKey.get(key);
    if (uid === undefined) return undefined;
    this.#uidByKey.delete(key);
    this.#dependencyBackoff.forget(key);
    await this.#ctx.listings.stop(uid);
    this.#stopper.forget(uid);
    this.#ctx.status.forget(uid);
    return undefined;
  }
}

/** Where the listing stands, for the rest of the reconcile. */
interface ListingProgress {
  /** Every folder listed and every file recorded (this round). */
  complete: boolean;
  /** When a listing that failed for now is tried again. */
  retryAt?: number;
  /** The source cannot be read for good: the import stops with this. */
  failure?: StopCause;
}

function tooManyFailedFiles(view: ImportView, counts: FileCounts): StopCause | undefined {
  const max = view.spec.maxFailedFiles;
  if (max === undefined || counts.failed <= max) return undefined;
  const message = `${counts.failed} files failed, more than spec.maxFailedFiles (${max})`;
  return { reason: Reason.TooManyFailedFiles, message, fileMessage: `not imported: ${message}` };
}
