import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/** Imports, their per-file state and the image catalogue (DESIGN.md's data model). */
export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("imports")
      .addColumn("uid", "text", (c) => c.primaryKey())
      .addColumn("namespace", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("folder_id", "text", (c) => c.notNull())
      .addColumn("bucket", "text", (c) => c.notNull())
      .addColumn("prefix", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) =>
        c
          .notNull()
          .check(sql`state IN ('pending','listing','running','suspended','succeeded','failed','cancelled')`),
      )
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("started_at", "timestamptz")
      .addColumn("finished_at", "timestamptz")
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("deleted_at", "timestamptz")
      .execute();
    await db.schema
      .createIndex("imports_namespace_name")
      .on("imports")
      .columns(["namespace", "name"])
      .execute();
    await db.schema.createIndex("imports_created_at").on("imports").column("created_at").execute();

    await db.schema
      .createTable("import_files")
      .addColumn("import_uid", "text", (c) => c.notNull().references("imports.uid").onDelete("cascade"))
      .addColumn("file_id", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("folder_path", "text", (c) => c.notNull())
      .addColumn("mime_type", "text", (c) => c.notNull())
      .addColumn("size", "int8")
      .addColumn("md5", "text")
      .addColumn("modified_time", "timestamptz")
      .addColumn("resource_key", "text")
      .addColumn("object_key", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) =>
        c
          .notNull()
          .check(sql`state IN ('pending','queued','in_progress','succeeded','failed','skipped','unchanged')`),
      )
      .addColumn("revision", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("publish_generation", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("error_reason", "text")
      .addColumn("error_message", "text")
      .addColumn("listed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("finished_at", "timestamptz")
      .addPrimaryKeyConstraint("import_files_pkey", ["import_uid", "file_id"])
      .execute();
    // Progress aggregation counts by state; the publisher walks pending rows in listing order.
    await db.schema
      .createIndex("import_files_import_state")
      .on("import_files")
      .columns(["import_uid", "state"])
      .execute();

    await db.schema
      .createTable("images")
      .addColumn("id", "int8", (c) => c.primaryKey().generatedAlwaysAsIdentity())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("source_id", "text", (c) => c.notNull())
      .addColumn("import_uid", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("folder_path", "text", (c) => c.notNull())
      .addColumn("mime_type", "text", (c) => c.notNull())
      .addColumn("size", "int8", (c) => c.notNull())
      .addColumn("md5", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("width", "integer")
      .addColumn("height", "integer")
      .addColumn("taken_at", "timestamptz")
      .addColumn("camera_make", "text")
      .addColumn("camera_model", "text")
      .addColumn("latitude", "float8")
      .addColumn("longitude", "float8")
      .addColumn("bucket", "text", (c) => c.notNull())
      .addColumn("object_key", "text", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint("images_source_object", ["source", "source_id", "bucket", "object_key"])
      .execute();
    // Keyset pagination (newest first) overall and within the API's filters.
    await db.schema.createIndex("images_created_id").on("images").columns(["created_at", "id"]).execute();
    await db.schema.createIndex("images_import_id").on("images").columns(["import_uid", "id"]).execute();
    await db.schema.createIndex("images_source_id").on("images").columns(["source", "id"]).execute();
    await db.schema.createIndex("images_mime_type_id").on("images").columns(["mime_type", "id"]).execute();
    await db.schema
      .createIndex("images_folder_path_id")
      .on("images")
      .columns(["folder_path", "id"])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable("images").execute();
    await db.schema.dropTable("import_files").execute();
    await db.schema.dropTable("imports").execute();
  },
};
