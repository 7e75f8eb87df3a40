import type { Readable } from "node:stream";
import type { Clock } from "../lib/controller-runtime/clock.ts";
import { googleDriveSource } from "../lib/imageimport/api.ts";
import { FileReason } from "../lib/imageimport/reasons.ts";
import type { Logger } from "../lib/log/index.ts";
import type { FileTask } from "../lib/queue/index.ts";
import type { ApiKeys } from "./api-keys.ts";
import { ContentMeter } from "./content-meter.ts";
import { decideFailure, type RetryBackoff } from "./failure-policy.ts";
import type { Claim, FileOutcome, FileRecords } from "./file-records.ts";
import { imageHeaderBytes, readImageMetadata } from "./image-metadata.ts";
import { imageRow } from "./image-row.ts";
import type { FileResult, TransferStage, WorkerMetrics } from "./metrics.ts";
import type { ObjectStore } from "./object-store.ts";

/** What to tell JetStream about a task once its file is settled. */
export type TaskDisposition =
  { action: "ack" } | { action: "nak"; delayMs: number } | { action: "term"; reason: string };

/** Opens a Drive file's bytes; resolves once Drive answered. The stream fails with a DriveError. */
export type FileDownloader = (request: {
  fileId: string;
  resourceKey: string | null;
  apiKey: string;
  signal: AbortSignal;
}) => Promise<Readable>;

export interface FileImporterParts {
  records: FileRecords;
  objects: ObjectStore;
  download: FileDownloader;
  apiKeys: ApiKeys;
  metrics: WorkerMetrics;
  backoff: RetryBackoff;
  clock: Clock;
  logger: Logger;
}

/**
 * One file task from claim to record: stream the file from Drive into S3 (or find it already stored), then
 * end its row together with its catalogue entry, and say how to settle the task. Failures are decided by
 * failure-policy.ts; a stale task is acknowledged untouched. A PostgreSQL error propagates: the caller naks,
 * the row stays claimed, and the redelivery claims it again and rewrites the same object.
 */
export class FileImporter {
  readonly #parts: FileImporterParts;

  constructor(parts: FileImporterParts) {
    this.#parts = parts;
  }

  /** Imports `task`'s file. `signal` fires when the process stops: the file goes back to the queue untried. */
  async importFile(task: FileTask, signal: AbortSignal): Promise<TaskDisposition> {
    const { records, logger } = this.#parts;
    const claim = await records.claim(task, googleDriveSource);
    if (claim === undefined) {
      logger.debug("task is stale: the file is done, changed or republished since", fileFields(task));
      return this.#settled("stale");
    }
    let outcome: FileOutcome;
    try {
      outcome = await this.#store(task, claim, signal);
    } catch (error) {
      if (signal.aborted) {
        await records.release(task);
        logger.info("worker stopping: file handed back to the queue", fileFields(task));
        return { action: "nak", delayMs: 0 };
      }
      return this.#failed(task, claim.attempt, error);
    }
    const recorded = await this.#timed("record", () => records.finish(task, outcome));
    if (!recorded) return this.#settled("stale");
    logger.debug("file recorded", { ...fileFields(task), state: outcome.state, attempt: claim.attempt });
    return this.#settled(outcome.state);
  }

  async #failed(task: FileTask, attempt: number, error: unknown): Promise<TaskDisposition> {
    const { records, metrics, backoff, logger } = this.#parts;
    const decision = decideFailure(error, attempt, task.maxAttempts, backoff);
    if (decision.action === "retry") {
      if (!(await records.requeue(task, decision.reason, decision.message))) return this.#settled("stale");
      metrics.retries.inc({ reason: decision.category });
      logger.warn("file failed, will retry", {
        ...fileFields(task),
        attempt,
        category: decision.category,
        delayMs: decision.delayMs,
        error: decision.message,
      });
      this.#count("retried");
      return { action: "nak", delayMs: decision.delayMs };
    }
    const { reason, message } = decision;
    if (!(await records.finish(task, { state: "failed", reason, message }))) return this.#settled("stale");
    logger.warn("file failed", { ...fileFields(task), attempt, reason, error: message });
    this.#count("failed");
    return { action: "term", reason: `${reason}: ${message}` };
  }

  /**
   * Puts the file in S3, unless the catalogue already holds these bytes (same md5) at its key and S3 still
   * has them: then it is skipped, not downloaded again.
   */
  async #store(task: FileTask, claim: Claim, signal: AbortSignal): Promise<FileOutcome> {
    const { objects, apiKeys, download, clock } = this.#parts;
    if (task.md5 !== null && claim.cataloguedMd5 === task.md5) {
      const stored = await objects.head(task.bucket, task.objectKey, signal);
      if (stored?.md5 === task.md5) return { state: "skipped", reason: FileReason.AlreadyStored };
    }
    const apiKey = await apiKeys.forImport(task.importUid);
    const requestedAt = clock.now();
    let firstByteAt: number | undefined;
    const meter = new ContentMeter({
      expected: { md5: task.md5, size: task.size },
      headerLimit: imageHeaderBytes,
      onChunk: (bytes) => {
        if (firstByteAt === undefined) {
          firstByteAt = clock.now();
          this.#observe("download_first_byte", firstByteAt - requestedAt);
        }
        this.#parts.metrics.bytes.inc(bytes);
      },
    });
    const source = await download({ fileId: task.fileId, resourceKey: task.resourceKey, apiKey, signal });
    const gathered = await this.#stream(source, meter, task, signal);
    this.#observe("transfer", clock.now() - (firstByteAt ?? requestedAt));
    const header = gathered?.subarray(0, imageHeaderBytes) ?? meter.header();
    const metadata = await readImageMetadata(header, task.image);
    return { state: "succeeded", image: imageRow(task, meter.measured, metadata) };
  }

  /**
   * Drive → meter → S3; a failure anywhere destroys the whole chain and nothing is stored. Plain `pipe` with
   * the two links wired by hand, not `stream.pipeline`: that one costs an AbortController and a DOMException
   * per file, a measurable share of a small file's CPU. Resolves with the bytes when the upload gathered them.
   */
  async #stream(
    source: Readable,
    meter: ContentMeter,
    task: FileTask,
    signal: AbortSignal,
  ): Promise<Buffer | undefined> {
    source.on("error", (error) => meter.destroy(error));
    // The uploader destroys the meter when it is done, whatever happened; the download goes with it.
    meter.once("close", () => source.destroy());
    const body = source.pipe(meter);
    return this.#parts.objects.upload(
      body,
      {
        bucket: task.bucket,
        key: task.objectKey,
        contentType: task.mimeType,
        md5: task.md5,
        size: task.size,
        bodySha256: () => meter.measured.sha256,
        importUid: task.importUid,
        driveFileId: task.fileId,
      },
      signal,
    );
  }

  async #timed<T>(stage: TransferStage, run: () => Promise<T>): Promise<T> {
    const startedAt = this.#parts.clock.now();
    try {
      return await run();
    } finally {
      this.#observe(stage, this.#parts.clock.now() - startedAt);
    }
  }

  #observe(stage: TransferStage, elapsedMs: number): void {
    this.#parts.metrics.stageDuration.observe({ stage }, elapsedMs / 1000);
  }

  #settled(result: FileResult): TaskDisposition {
    this.#count(result);
    return { action: "ack" };
  }

  #count(result: FileResult): void {
    this.#parts.metrics.files.inc({ result });
  }
}

/** What every log line about a file carries (a child logger per file would cost more than the line). */
function fileFields(task: FileTask): Record<string, unknown> {
  return { importUid: task.importUid, fileId: task.fileId, revision: task.revision };
}
