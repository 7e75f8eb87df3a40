import type { Kysely } from "kysely";
import type { Clock, Logger } from "../lib/controller-runtime/index.ts";
import type { Database } from "../lib/db/index.ts";
import {
  DriveError,
  DriveErrorKind,
  resolveFolder,
  sourceProblemFor,
  walkFolder,
  type DriveClients,
  type SourceProblem,
} from "../lib/drive/index.ts";
import { ConditionType, Reason, type DriveFolderRef } from "../lib/imageimport/index.ts";
import { fileRowFor, type FileFilter, type ListedFile } from "./file-rows.ts";
import { recordListedFiles, recordListingComplete } from "./listing-records.ts";
import type { OperatorMetrics } from "./metrics.ts";
import type { StatusDraft } from "./status.ts";

/**
 * Lists import folders in the background, one walk per import, never inside a reconcile: the walk streams
 * the tree page by page into PostgreSQL in batches and nudges the import's reconcile after each, so
 * publishing follows the listing. A restarted operator simply lists again (the inserts are idempotent).
 * Owns the Listing condition and status.listing.
 */

/** One listing of one import's folder. */
export interface ListingJob {
  /** The work-queue key to nudge. */
  key: string;
  importUid: string;
  round: number;
  folder: DriveFolderRef;
  apiKey: string;
  recursive: boolean;
  filter: FileFilter;
  prefix: string;
}

export type ListingState =
  | { kind: "running"; round: number; folderResolved: boolean; foldersListed: number; filesRecorded: number }
  | { kind: "complete"; round: number; foldersListed: number }
  | {
      kind: "failed";
      round: number;
      /** What the source condition should say; undefined for a failure of our own (e.g. the database). */
      problem: SourceProblem | undefined;
      message: string;
      /** When a retryable failure may be tried again; undefined for a permanent one. */
      retryAt: number | undefined;
    };

export interface ListingRunnerOptions {
  db: Kysely<Database>;
  drive: DriveClients;
  clock: Clock;
  logger: Logger;
  metrics: OperatorMetrics;
  /** Asks for a reconcile of `key` (the work queue's add). */
  enqueue: (key: string) => void;
  /** Rows per insert. */
  batchSize?: number;
  /** First delay before listing again after a retryable failure; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

interface Entry {
  job: ListingJob;
  state: ListingState;
  abort: AbortController;
  done: Promise<void>;
  failures: number;
}

export class ListingRunner {
  readonly #options: ListingRunnerOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: ListingRunnerOptions) {
    this.#options = options;
  }

  /**
   * Makes sure `job` is listed: starts a walk unless one of the same round runs, finished, failed for good,
   * or waits out a retry delay. Returns the listing's state.
   */
  ensure(job: ListingJob): ListingState {
    const entry = this.#entries.get(job.importUid);
    if (entry !== undefined && entry.job.round === job.round) {
      const { state } = entry;
      const retryDue =
        state.kind === "failed" && state.retryAt !== undefined && state.retryAt <= this.#options.clock.now();
      if (!retryDue) return state;
    } else if (entry !== undefined) {
      entry.abort.abort();
    }
    return this.#start(job, entry?.job.round === job.round ? entry.failures : 0);
  }

  /** The state of the import's listing, if this process has one. */
  state(importUid: string): ListingState | undefined {
    return this.#entries.get(importUid)?.state;
  }

  /** Stops the import's walk (if any), waits until it has written its last batch, and forgets it. */
  async stop(importUid: string): Promise<void> {
    const entry = this.#entries.get(importUid);
    if (entry === undefined) return;
    this.#entries.delete(importUid);
    entry.abort.abort();
    await entry.done;
  }

  /** Stops every walk (leadership lost, shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((uid) => this.stop(uid)));
  }

  /** Imports with a walk in progress. */
  running(): number {
    return [...this.#entries.values()].filter((entry) => entry.state.kind === "running").length;
  }

  #start(job: ListingJob, failures: number): ListingState {
    const abort = new AbortController();
    const entry: Entry = {
      job,
      state: { kind: "running", round: job.round, folderResolved: false, foldersListed: 0, filesRecorded: 0 },
      abort,
      done: Promise.resolve(),
      failures,
    };
    this.#entries.set(job.importUid, entry);
    entry.done = this.#walk(entry, abort.signal);
    return entry.state;
  }

  async #walk(entry: Entry, signal: AbortSignal): Promise<void> {
    const { job } = entry;
    const { db, clock, metrics } = this.#options;
    const logger = this.#options.logger.child({ import: job.key, round: job.round });
    const startedAt = clock.now();
    let writer: OneBehindWriter | undefined;
    const running = {
      kind: "running" as const,
      round: job.round,
      folderResolved: false,
      foldersListed: 0,
      filesRecorded: 0,
    };
    entry.state = running;
    try {
      const drive = this.#options.drive.forApiKey(job.apiKey);
      const resolution = await resolveFolder(drive, job.folder, { signal });
      if (!resolution.ok) {
        this.#fail(entry, resolution.problem, resolution.problem.message, logger);
        return;
      }
      running.folderResolved = true;
      const root = { id: resolution.folder.id, resourceKey: resolution.folder.resourceKey ?? null };
      const context = { importUid: job.importUid, prefix: job.prefix, filter: job.filter, round: job.round };
      const batchSize = this.#options.batchSize ?? 1000;
      // Keyed by file id: one statement may not upsert a row twice (a shortcut met through two parents).
      let batch = new Map<string, ListedFile>();
      const batchWriter = new OneBehindWriter(async (rows) => {
        await recordListedFiles(db, rows);
        running.filesRecorded += rows.length;
        metrics.filesListed.inc(rows.length);
        this.#options.enqueue(job.key);
      });
      writer = batchWriter;
      const flush = async (): Promise<void> => {
        if (batch.size === 0) return;
        const rows = [...batch.values()];
        batch = new Map();
        await batchWriter.push(rows);
      };
      for await (const event of walkFolder(drive, root, { recursive: job.recursive, signal })) {
        if (event.kind === "folder-listed") {
          running.foldersListed = event.foldersListed;
          continue;
        }
        const row = fileRowFor(event, context);
        if (row !== undefined) batch.set(row.file_id, row);
        if (batch.size >= batchSize) await flush();
      }
      await flush();
      await batchWriter.drain();
      if (signal.aborted) return;
      await recordListingComplete(db, job.importUid, job.round, running.foldersListed);
      entry.state = { kind: "complete", round: job.round, foldersListed: running.foldersListed };
      entry.failures = 0;
      metrics.listingDuration.observe((clock.now() - startedAt) / 1000);
      logger.info("listing complete", { folders: running.foldersListed, files: running.filesRecorded });
      this.#options.enqueue(job.key);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof DriveError) {
        if (error.kind === DriveErrorKind.Aborted) return;
        const problem = sourceProblemFor(error, job.folder.folderId);
        this.#fail(entry, problem, problem.message, logger);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.#fail(entry, undefined, `listing failed: ${message}`, logger, true);
      }
    } finally {
      // A stop waits for this walk to end: its last batch must be written (or failed) by then.
      await writer?.settle();
    }
  }

  #fail(
    entry: Entry,
    problem: SourceProblem | undefined,
    message: string,
    logger: Logger,
    retryable = false,
  ): void {
    const { clock, metrics } = this.#options;
    const canRetry = problem?.retryable ?? retryable;
    let retryAt: number | undefined;
    if (canRetry) {
      const initial = this.#options.retryDelayMs ?? 5_000;
      const max = this.#options.maxRetryDelayMs ?? 300_000;
      const backoff = Math.min(max, initial * 2 ** entry.failures);
      retryAt = clock.now() + Math.max(backoff, problem?.retryAfterMs ?? 0);
      entry.failures++;
    }
    entry.state = { kind: "failed", round: entry.job.round, problem, message, retryAt };
    metrics.listingFailures.inc({ reason: problem?.reason ?? "Internal" });
    logger.warn("listing stopped", { reason: problem?.reason, message, retryAt });
    this.#options.enqueue(entry.job.key);
  }
}

/**
 * Writes listed batches one behind the walk: a batch is written while the walk fetches the next page, and
 * the walk waits only if the previous write has not finished (so at most two batches are ever in memory).
 */
class OneBehindWriter {
  readonly #write: (rows: ListedFile[]) => Promise<void>;
  #pending: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  constructor(write: (rows: ListedFile[]) => Promise<void>) {
    this.#write = write;
  }

  /** Starts writing `rows` once the previous write is done; throws that write's failure, if any. */
  async push(rows: ListedFile[]): Promise<void> {
    await this.drain();
    this.#pending = this.#write(rows).catch((error: unknown) => {
      this.#failure = { error };
    });
  }

  /** Waits for the write in progress; throws its failure, if any. */
  async drain(): Promise<void> {
    await this.#pending;
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  /** Waits for the write in progress, whatever its outcome. */
  async settle(): Promise<void> {
    await this.#pending;
  }
}

/** The Listing condition and status.listing for a listing in progress (or waiting to retry). */
export function applyListingInProgress(draft: StatusDraft, folderId: string, foldersListed: number): void {
  draft.condition(
    ConditionType.Listing,
    "True",
    Reason.ListingInProgress,
    `listing Drive folder ${folderId} and recording its files; status.listing.foldersListed counts the folders done`,
  );
  draft.set("listing", { foldersListed, complete: false });
}

/** The Listing condition and status.listing once every folder is listed and every file recorded. */
export function applyListingComplete(draft: StatusDraft, foldersListed: number): void {
  draft.condition(
    ConditionType.Listing,
    "False",
    Reason.ListingComplete,
    `listed ${foldersListed} folder${foldersListed === 1 ? "" : "s"} and recorded every file`,
  );
  draft.set("listing", { foldersListed, complete: true });
}
