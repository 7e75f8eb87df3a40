import type { JetStreamManager } from "@nats-io/jetstream";
import { sql, type Kysely } from "kysely";
import type { Database } from "../lib/db/index.ts";
import { importSubject, type QueueTopology } from "../lib/queue/index.ts";

/**
 * Removing an import's tasks from the stream (suspend, cancel, stop, delete) and finding the rows whose
 * task went with them. Owns imports.tasks_purged_at.
 */

/**
 * Purges every task of one import from the stream; returns how many went. The purge time is recorded
 * first, so every row published before it is known to have lost its task (see returnOrphanedRows).
 */
export async function purgeImportTasks(
  db: Kysely<Database>,
  jsm: JetStreamManager,
  topology: QueueTopology,
  importUid: string,
): Promise<number> {
  await db
    .updateTable("imports")
    .set({ tasks_purged_at: sql`now()`, updated_at: sql`now()` })
    .where("uid", "=", importUid)
    .execute();
  const response = await jsm.streams.purge(topology.stream, { filter: importSubject(topology, importUid) });
  return response.purged;
}

/**
 * Rows left `queued` with no task behind them: published before the last purge and since handed back by a
 * worker whose delivery the purge removed (or never taken). They go back to pending and are published again
 * with a higher generation. Returns how many moved.
 */
export async function returnOrphanedRows(db: Kysely<Database>, importUid: string): Promise<number> {
  const result = await db
    .updateTable("import_files")
    .set({ state: "pending", updated_at: sql`now()` })
    .where("import_uid", "=", importUid)
    .where("state", "=", "queued")
    .where(
      "published_at",
      "<",
      db.selectFrom("imports").select("tasks_purged_at").where("uid", "=", importUid),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
