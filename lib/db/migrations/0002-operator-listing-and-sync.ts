import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * What the operator must remember across restarts: whether the current listing finished, which listing
 * round (initial or re-sync) recorded each file, when the import's queued tasks were last purged (so rows
 * whose task went with the purge are found and republished), and Drive's image metadata for the task.
 */
export const operatorListingAndSync: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("imports")
      .addColumn("listing_round", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("listing_completed_at", "timestamptz")
      .addColumn("folders_listed", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("tasks_purged_at", "timestamptz")
      .execute();
    await db.schema
      .alterTable("import_files")
      .addColumn("listed_round", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("published_at", "timestamptz")
      .addColumn("image", "jsonb")
      .execute();
    // The failures sample reads the newest failed rows of one import.
    await db.schema
      .createIndex("import_files_import_failed_updated")
      .on("import_files")
      .columns(["import_uid", "updated_at"])
      .where(sql.ref("state"), "=", "failed")
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex("import_files_import_failed_updated").execute();
    await db.schema
      .alterTable("import_files")
      .dropColumn("listed_round")
      .dropColumn("published_at")
      .dropColumn("image")
      .execute();
    await db.schema
      .alterTable("imports")
      .dropColumn("listing_round")
      .dropColumn("listing_completed_at")
      .dropColumn("folders_listed")
      .dropColumn("tasks_purged_at")
      .execute();
  },
};
