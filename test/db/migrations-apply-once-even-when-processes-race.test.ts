import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { connectDatabase, migrateToLatest } from "../../lib/db/index.ts";
import { createDatabase } from "../support/stack.ts";

describe("database migrations", () => {
  it("bring a fresh database to the latest schema once, even when three processes start together", async () => {
    const url = await createDatabase("migrate");
    const handles = [1, 2, 3].map(() => connectDatabase({ url }));
    try {
      const applied = await Promise.all(handles.map((db) => migrateToLatest(db)));
      expect(applied.flat()).toEqual(["0001-initial", "0002-operator-listing-and-sync"]);

      const db = handles[0]!;
      const tables = await sql<{ tablename: string }>`
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely%' ORDER BY 1`.execute(
        db,
      );
      expect(tables.rows.map((r) => r.tablename)).toEqual(["images", "import_files", "imports"]);

      // The unique key that makes a redelivered task a no-op in rows.
      await db
        .insertInto("imports")
        .values({
          uid: "u1",
          namespace: "n",
          name: "i",
          source: "google-drive",
          folder_id: "f",
          bucket: "b",
          prefix: "p/",
          state: "running",
        })
        .execute();
      const image = {
        source: "google-drive",
        source_id: "file-1",
        import_uid: "u1",
        name: "a.jpg",
        folder_path: "",
        mime_type: "image/jpeg",
        size: 10,
        md5: "m",
        sha256: "s",
        bucket: "b",
        object_key: "p/file-1-a.jpg",
      };
      await db.insertInto("images").values(image).execute();
      await expect(db.insertInto("images").values(image).execute()).rejects.toThrow(/images_source_object/);
      await expect(
        db
          .insertInto("import_files")
          .values({
            import_uid: "u1",
            file_id: "file-1",
            name: "a.jpg",
            folder_path: "",
            mime_type: "image/jpeg",
            object_key: "p/file-1-a.jpg",
            state: "bogus" as "queued",
          })
          .execute(),
      ).rejects.toThrow(/import_files_state_check/);
    } finally {
      await Promise.all(handles.map((db) => db.destroy()));
    }
  });
});
