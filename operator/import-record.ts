import { sql, type Kysely } from "kysely";
import type { Database, ImportRow, ImportState } from "../lib/db/index.ts";
import { googleDriveSource, type StoredImageImport } from "../lib/imageimport/index.ts";

/**
 * The imports row: the durable history of an import that outlives its ImageImport (the REST API's legacy
 * job route reads it). Owns imports.state, started_at, finished_at and deleted_at.
 */

/** Where an import writes, defaults applied (status.destination). */
export interface ImportDestination {
  bucket: string;
  prefix: string;
}

/** The import's row, created on first sight (idempotently: two leaders may both try). */
export async function ensureImportRecord(
  db: Kysely<Database>,
  object: StoredImageImport,
  folderId: string,
  destination: ImportDestination,
): Promise<ImportRow> {
  const { uid, namespace, name } = object.metadata;
  await db
    .insertInto("imports")
    .values({
      uid,
      namespace,
      name,
      source: googleDriveSource,
      folder_id: folderId,
      bucket: destination.bucket,
      prefix: destination.prefix,
      state: "pending",
    })
    .onConflict((oc) => oc.column("uid").doNothing())
    .execute();
  return db.selectFrom("imports").selectAll().where("uid", "=", uid).executeTakeFirstOrThrow();
}

/**
 * Moves the row to `state`: started_at is set the first time it runs, finished_at when it ends and cleared
 * when it runs again (retry, re-sync).
 */
export async function recordImportState(
  db: Kysely<Database>,
  uid: string,
  state: ImportState,
): Promise<void> {
  const finished = state === "succeeded" || state === "failed" || state === "cancelled";
  const running = state === "listing" || state === "running";
  await db
    .updateTable("imports")
    .set({
      state,
      updated_at: sql`now()`,
      finished_at: finished ? sql`coalesce(finished_at, now())` : null,
      ...(running ? { started_at: sql`coalesce(started_at, now())` } : {}),
    })
    .where("uid", "=", uid)
    .where("state", "!=", state)
    .execute();
}

/** Marks the row of an ImageImport that was deleted; its files' records and images stay. */
export async function recordImportDeleted(db: Kysely<Database>, uid: string): Promise<void> {
  await db
    .updateTable("imports")
    .set({ deleted_at: sql`coalesce(deleted_at, now())`, updated_at: sql`now()` })
    .where("uid", "=", uid)
    .execute();
}
