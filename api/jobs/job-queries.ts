import { sql, type Kysely } from "kysely";
import { FileReason } from "../../lib/imageimport/index.ts";
import { terminalFileStates, type Database, type ImportRow } from "../../lib/db/index.ts";
import type { JobCounts } from "./legacy-job.ts";

/** An import's durable record and its image counts: what GET /api/jobs/:jobId reports. */
export interface JobRecord {
  row: Pick<ImportRow, "uid" | "namespace" | "state" | "created_at" | "started_at" | "updated_at">;
  counts: JobCounts;
}

/**
 * Reads an import's row and counts its files from PostgreSQL, so a job keeps answering after its
 * ImageImport is deleted. Files skipped for not being images do not count as images.
 */
export async function findJob(db: Kysely<Database>, uid: string): Promise<JobRecord | undefined> {
  const row = await db
    .selectFrom("imports")
    .select(["uid", "namespace", "state", "created_at", "started_at", "updated_at"])
    .where("uid", "=", uid)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const notAnImage = sql<boolean>`(state = 'skipped' AND error_reason IS NOT DISTINCT FROM ${FileReason.MimeTypeExcluded})`;
  const counts = await db
    .selectFrom("import_files")
    .select([
      sql<string>`count(*) FILTER (WHERE NOT ${notAnImage})`.as("total"),
      sql<string>`count(*) FILTER (WHERE state = ANY(${[...terminalFileStates]}) AND NOT ${notAnImage})`.as(
        "processed",
      ),
      sql<string>`count(*) FILTER (WHERE state = 'failed')`.as("failed"),
    ])
    .where("import_uid", "=", uid)
    .executeTakeFirstOrThrow();
  return {
    row,
    counts: {
      total: Number(counts.total),
      processed: Number(counts.processed),
      failed: Number(counts.failed),
    },
  };
}
