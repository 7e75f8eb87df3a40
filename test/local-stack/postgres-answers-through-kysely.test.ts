import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../support/stack.ts";

interface Database {
  things: { id: number; name: string };
}

describe("PostgreSQL", () => {
  let db: Kysely<Database>;

  beforeAll(async () => {
    const url = await createDatabase("stack");
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
    });
  });

  afterAll(async () => {
    await db.destroy();
  });

  it("creates, writes and reads a table, with ON CONFLICT DO NOTHING keeping rows unique", async () => {
    await db.schema
      .createTable("things")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .execute();
    await db.insertInto("things").values({ id: 1, name: "first" }).execute();
    await db
      .insertInto("things")
      .values([
        { id: 1, name: "duplicate" },
        { id: 2, name: "second" },
      ])
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();

    const rows = await db.selectFrom("things").selectAll().orderBy("id").execute();
    expect(rows).toEqual([
      { id: 1, name: "first" },
      { id: 2, name: "second" },
    ]);
    const version = await sql<{ server_version_num: string }>`SHOW server_version_num`.execute(db);
    expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
  });
});
