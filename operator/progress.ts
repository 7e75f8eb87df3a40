import { sql, type Kysely } from "kysely";
import type { Database, FileState } from "../lib/db/index.ts";
import type { FileFailure, ImageImportStatus, ImportProgress } from "../lib/imageimport/index.ts";

/**
 * Per-file state aggregated from PostgreSQL (the source of truth): owns status.progress and
 * status.failures.
 */

/** How many of an import's files are in each state, and their bytes. */
export type FileCounts = Record<FileState, number> & {
  /** Bytes of the files this round imports (not skipped, not unchanged). */
  bytesTotal: number;
  bytesStored: number;
};

export const emptyFileCounts: FileCounts = {
  pending: 0,
  queued: 0,
  in_progress: 0,
  succeeded: 0,
  failed: 0,
  skipped: 0,
  unchanged: 0,
  bytesTotal: 0,
  bytesStored: 0,
};

/** Counts an import's files by state in one indexed pass. */
export async function countFilesByState(db: Kysely<Database>, importUid: string): Promise<FileCounts> {
  const rows = await db
    .selectFrom("import_files")
    .select(["state", sql<string>`count(*)`.as("files"), sql<string | null>`sum(size)`.as("bytes")])
    .where("import_uid", "=", importUid)
    .groupBy("state")
    .execute();
  const counts: FileCounts = { ...emptyFileCounts };
  for (const row of rows) {
    const bytes = Number(row.bytes ?? 0);
    counts[row.state] = Number(row.files);
    if (row.state === "succeeded") counts.bytesStored += bytes;
    if (row.state !== "skipped" && row.state !== "unchanged") counts.bytesTotal += bytes;
  }
  return counts;
}

/** Files a worker has not finished: waiting to be published, queued, or in flight. */
export function unfinishedFiles(counts: FileCounts): number {
  return counts.pending + counts.queued + counts.in_progress;
}

/**
 * status.progress from the counts. `queued` counts every unfinished file (published or waiting for the
 * window), so total = queued + succeeded + failed + skipped + unchanged, always.
 */
export function progressFromCounts(counts: FileCounts): ImportProgress {
  const queued = unfinishedFiles(counts);
  return {
    total: queued + counts.succeeded + counts.failed + counts.skipped + counts.unchanged,
    queued,
    succeeded: counts.succeeded,
    failed: counts.failed,
    skipped: counts.skipped,
    unchanged: counts.unchanged,
    bytesTotal: counts.bytesTotal,
    bytesStored: counts.bytesStored,
  };
}

/** The newest failed files (status.failures, at most 10 as the CRD allows), newest first. */
export async function recentFailures(
  db: Kysely<Database>,
  importUid: string,
): Promise<NonNullable<ImageImportStatus["failures"]>> {
  const rows = await db
    .selectFrom("import_files")
    .select(["file_id", "folder_path", "name", "error_reason", "error_message", "attempts"])
    .where("import_uid", "=", importUid)
    .where("state", "=", "failed")
    .orderBy("updated_at", "desc")
    .orderBy("file_id")
    .limit(10)
    .execute();
  const failures = rows.map((row): FileFailure => ({
    fileId: row.file_id,
    path: row.folder_path === "" ? row.name : `${row.folder_path}/${row.name}`,
    reason: row.error_reason ?? "Unknown",
    message: truncate(row.error_message ?? "", 512),
    attempts: row.attempts,
  }));
  // The generated type spells maxItems: 10 as a union of tuples; the query's limit keeps that promise.
  return failures as NonNullable<ImageImportStatus["failures"]>;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
