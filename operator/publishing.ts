import { sql, type Kysely } from "kysely";
import type { Clock } from "../lib/controller-runtime/index.ts";
import type { Database, ImportFileRow } from "../lib/db/index.ts";
import {
  encodeFileTask,
  fileTaskMessageId,
  importSubject,
  type FileTask,
  type QueueTopology,
} from "../lib/queue/index.ts";
import type { FileCounts } from "./progress.ts";
import type { StreamPublisher } from "./task-publisher.ts";

/**
 * Publishing file tasks: the per-import window and publish-before-mark (docs/design.md). Owns the
 * pending → queued transition and import_files.publish_generation / published_at.
 */

/**
 * How many more files this import may publish now: its window (spec.parallelism) bounds the files queued
 * or in flight, so one large import cannot fill the stream and starve the others.
 */
export function publishBudget(
  parallelism: number,
  counts: Pick<FileCounts, "pending" | "queued" | "in_progress">,
): number {
  const open = parallelism - counts.queued - counts.in_progress;
  return Math.max(0, Math.min(counts.pending, open));
}

/** What every task of one import carries. */
export interface ImportTaskContext {
  importUid: string;
  bucket: string;
  /** spec.backoffLimitPerFile + 1. */
  maxAttempts: number;
}

type PendingRow = Pick<
  ImportFileRow,
  | "file_id"
  | "name"
  | "folder_path"
  | "mime_type"
  | "size"
  | "md5"
  | "resource_key"
  | "object_key"
  | "revision"
  | "publish_generation"
  | "image"
>;

/** The task for a pending row; its generation is one more than the row's last publish. */
export function fileTaskFor(row: PendingRow, context: ImportTaskContext): FileTask {
  const task: FileTask = {
    importUid: context.importUid,
    fileId: row.file_id,
    revision: row.revision,
    generation: row.publish_generation + 1,
    name: row.name,
    folderPath: row.folder_path,
    mimeType: row.mime_type,
    size: row.size === null ? null : Number(row.size),
    md5: row.md5,
    resourceKey: row.resource_key,
    bucket: context.bucket,
    objectKey: row.object_key,
    maxAttempts: context.maxAttempts,
  };
  if (row.image !== null) task.image = row.image;
  return task;
}

export interface PublisherOptions {
  db: Kysely<Database>;
  publisher: StreamPublisher;
  topology: QueueTopology;
  clock: Clock;
  /** Rows read and tasks published per round trip. */
  chunkSize: number;
  /** A reconcile publishes for at most this long, then requeues, so status and other imports get a turn. */
  timeBudgetMs: number;
  onPublished?: (count: number) => void;
}

/**
 * Publishes up to `budget` pending files of one import. Each chunk's tasks are published (acknowledged by
 * the stream) before their rows are marked queued, so a crash in between republishes the same
 * Nats-Msg-Id, which the stream drops. Returns how many were published and whether the time budget ran out
 * with pending files left.
 */
export async function publishPendingFiles(
  options: PublisherOptions,
  context: ImportTaskContext,
  budget: number,
  signal: AbortSignal,
): Promise<{ published: number; timedOut: boolean }> {
  const { db, publisher, topology, clock, chunkSize, timeBudgetMs } = options;
  const subject = importSubject(topology, context.importUid);
  const startedAt = clock.now();
  let published = 0;
  while (published < budget && !signal.aborted) {
    if (clock.now() - startedAt >= timeBudgetMs) return { published, timedOut: true };
    const rows = await db
      .selectFrom("import_files")
      .select([
        "file_id",
        "name",
        "folder_path",
        "mime_type",
        "size",
        "md5",
        "resource_key",
        "object_key",
        "revision",
        "publish_generation",
        "image",
      ])
      .where("import_uid", "=", context.importUid)
      .where("state", "=", "pending")
      .limit(Math.min(chunkSize, budget - published))
      .execute();
    if (rows.length === 0) break;
    await publisher.publishAll(
      rows.map((row) => {
        const task = fileTaskFor(row, context);
        return { subject, data: encodeFileTask(task), msgId: fileTaskMessageId(task) };
      }),
    );
    // Only rows still pending move: a worker may already hold one (it accepts any non-terminal row), and
    // a second operator briefly leading may have marked them first.
    await db
      .updateTable("import_files")
      .set({
        state: "queued",
        publish_generation: sql`publish_generation + 1`,
        published_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where("import_uid", "=", context.importUid)
      .where("file_id", "=", sql<string>`ANY(${rows.map((row) => row.file_id)}::text[])`)
      .where("state", "=", "pending")
      .execute();
    published += rows.length;
    options.onPublished?.(rows.length);
  }
  return { published, timedOut: false };
}
