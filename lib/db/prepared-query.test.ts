import { Kysely, PostgresDialect, type QueryResult } from "kysely";
import { describe, expect, it } from "vitest";
import { prepareQuery } from "./prepared-query.ts";

interface Db {
  files: { id: string; state: string; attempts: number; updated_at: Date };
}

/** A kysely handle whose pool records what it is asked to run instead of running it. */
function recordingDb(): { db: Kysely<Db>; runs: { sql: string; parameters: readonly unknown[] }[] } {
  const runs: { sql: string; parameters: readonly unknown[] }[] = [];
  const connection = {
    query: (sql: string, parameters: readonly unknown[]) => {
      runs.push({ sql, parameters });
      return Promise.resolve({ command: "UPDATE", rowCount: 1, rows: [{ attempts: 2 }] });
    },
    release: () => undefined,
  };
  const pool = { connect: () => Promise.resolve(connection), end: () => Promise.resolve() };
  return { db: new Kysely<Db>({ dialect: new PostgresDialect({ pool: pool as never }) }), runs };
}

describe("prepareQuery", () => {
  it("compiles once and runs the same SQL and parameters kysely would build for the values", async () => {
    const { db, runs } = recordingDb();
    const build = (values: { id: string; now: Date }) =>
      db
        .updateTable("files")
        .set((eb) => ({ attempts: eb("attempts", "+", 1), updated_at: values.now }))
        .where("id", "=", values.id)
        .where("state", "not in", ["done", "failed"])
        .returning("attempts");
    const prepared = prepareQuery(db, ["id", "now"], (slot) => build(slot));
    const now = new Date("2026-01-01T00:00:00Z");

    const result: QueryResult<{ attempts: number }> = await prepared.execute({ id: "a", now });

    const expected = build({ id: "a", now }).compile();
    expect(runs).toEqual([{ sql: expected.sql, parameters: expected.parameters }]);
    expect(prepared.sql).toBe(expected.sql);
    expect(prepared.parameters({ id: "b", now })).toEqual(build({ id: "b", now }).compile().parameters);
    expect(result.rows).toEqual([{ attempts: 2 }]);
  });

  it("puts a slot used twice in both places", async () => {
    const { db, runs } = recordingDb();
    const prepared = prepareQuery(db, ["id"], (slot) =>
      db.selectFrom("files").select("id").where("id", "=", slot.id).where("state", "=", slot.id),
    );
    await prepared.execute({ id: "x" });
    expect(runs[0]?.parameters).toEqual(["x", "x"]);
  });

  it("refuses a slot the query never uses", () => {
    const { db } = recordingDb();
    expect(() =>
      prepareQuery(db, ["id", "unused"], (slot) =>
        db.selectFrom("files").select("id").where("id", "=", slot.id),
      ),
    ).toThrow("slots unused are not in the query");
  });
});
