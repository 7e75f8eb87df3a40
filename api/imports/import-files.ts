import type { Kysely } from "kysely";
import type { Database, FileState, ImportFileRow } from "../../lib/db/index.ts";
import type { ImportFileView } from "../schemas/imports.ts";

const shownColumns = [
  "file_id",
  "name",
  "folder_path",
  "mime_type",
  "size",
  "state",
  "attempts",
  "error_reason",
  "error_message",
  "listed_at",
  "updated_at",
  "finished_at",
] as const;

/** The columns of a file the API shows. */
export type ImportFileRecord = Pick<ImportFileRow, (typeof shownColumns)[number]>;

/** One page of an import's files from PostgreSQL (the source of truth per file), by Drive file id. */
export async function listImportFiles(
  db: Kysely<Database>,
  request: {
    importUid: string;
    state: FileState | undefined;
    limit: number;
    afterFileId: string | undefined;
  },
): Promise<{ rows: ImportFileRecord[]; hasMore: boolean }> {
  let query = db.selectFrom("import_files").select(shownColumns).where("import_uid", "=", request.importUid);
  if (request.state !== undefined) query = query.where("state", "=", request.state);
  if (request.afterFileId !== undefined) query = query.where("file_id", ">", request.afterFileId);
  const rows = await query
    .orderBy("file_id")
    .limit(request.limit + 1)
    .execute();
  return { rows: rows.slice(0, request.limit), hasMore: rows.length > request.limit };
}

/** One file as the API shows it. */
export function importFileView(row: ImportFileRecord): ImportFileView {
  return {
    fileId: row.file_id,
    name: row.name,
    folderPath: row.folder_path,
    mimeType: row.mime_type,
    size: row.size === null ? null : Number(row.size),
    state: row.state,
    attempts: row.attempts,
    errorReason: row.error_reason,
    errorMessage: row.error_message,
    listedAt: row.listed_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at === null ? null : row.finished_at.toISOString(),
  };
}
