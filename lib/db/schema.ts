import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { TaskImageMetadata } from "../queue/file-task.ts";

/** An import's lifecycle as PostgreSQL keeps it: durable history, outliving the ImageImport object. */
export type ImportState =
  "pending" | "listing" | "running" | "suspended" | "succeeded" | "failed" | "cancelled";

/**
 * One file's state within one import. `pending` rows are recorded but not yet published (the per-import
 * window holds them back); `queued` rows have a task in the stream; the last four are terminal.
 */
export type FileState =
  "pending" | "queued" | "in_progress" | "succeeded" | "failed" | "skipped" | "unchanged";

export const terminalFileStates: readonly FileState[] = ["succeeded", "failed", "skipped", "unchanged"];

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** pg returns int8 as a string (it may exceed 2^53); we write numbers. */
type Int8 = ColumnType<string, number | bigint | string, number | bigint | string>;

export interface ImportsTable {
  uid: string;
  namespace: string;
  name: string;
  source: string;
  folder_id: string;
  bucket: string;
  prefix: string;
  state: ImportState;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: UpdatedAt;
  deleted_at: Timestamp | null;
  /** 0 for the first listing, then one more for each re-sync; the operator lists one round at a time. */
  listing_round: Generated<number>;
  /** When the current round's listing recorded its last file; null while it runs. */
  listing_completed_at: Timestamp | null;
  folders_listed: Generated<number>;
  /** When the operator last purged this import's tasks; rows published before it lost their task. */
  tasks_purged_at: Timestamp | null;
}

export interface ImportFilesTable {
  import_uid: string;
  file_id: string;
  name: string;
  folder_path: string;
  mime_type: string;
  size: Int8 | null;
  md5: string | null;
  modified_time: Timestamp | null;
  resource_key: string | null;
  object_key: string;
  state: FileState;
  /** Bumped when a re-sync finds the file changed; part of the task's dedup id. */
  revision: Generated<number>;
  /** Bumped each time the file is published again (resume, retry): the dedup window must not swallow it. */
  publish_generation: Generated<number>;
  attempts: Generated<number>;
  error_reason: string | null;
  error_message: string | null;
  listed_at: CreatedAt;
  updated_at: UpdatedAt;
  finished_at: Timestamp | null;
  /** The listing round that last looked at this file (see imports.listing_round). */
  listed_round: Generated<number>;
  /** When the operator last published the file's task. */
  published_at: Timestamp | null;
  /** Drive's image metadata from the listing (the task's `image`, as JSON), if Drive had any. */
  image: ColumnType<TaskImageMetadata | null, string | null, string | null>;
}

export interface ImagesTable {
  id: Generated<Int8>;
  source: string;
  source_id: string;
  import_uid: string;
  name: string;
  folder_path: string;
  mime_type: string;
  size: Int8;
  md5: string;
  sha256: string;
  width: number | null;
  height: number | null;
  taken_at: Timestamp | null;
  camera_make: string | null;
  camera_model: string | null;
  latitude: number | null;
  longitude: number | null;
  bucket: string;
  object_key: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface Database {
  imports: ImportsTable;
  import_files: ImportFilesTable;
  images: ImagesTable;
}

export type ImportRow = Selectable<ImportsTable>;
export type NewImport = Insertable<ImportsTable>;
export type ImportFileRow = Selectable<ImportFilesTable>;
export type NewImportFile = Insertable<ImportFilesTable>;
export type ImportFileUpdate = Updateable<ImportFilesTable>;
export type ImageRow = Selectable<ImagesTable>;
export type NewImage = Insertable<ImagesTable>;
