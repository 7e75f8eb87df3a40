import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { enableNamedStatements, NamedStatement } from "./named-statement.ts";

/** A kysely handle over a pool that records the query configs it is sent. */
function recordingHandle(): { db: Kysely<unknown>; sent: pg.QueryConfig[] } {
  const sent: pg.QueryConfig[] = [];
  const pool = {
    query: (config: pg.QueryConfig) => {
      sent.push(config);
      return Promise.resolve({ rows: [["1", "a"]] });
    },
  };
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pool as never }) });
  enableNamedStatements(db, pool as unknown as pg.Pool);
  return { db, sent };
}

describe("NamedStatement", () => {
  it("runs its SQL under a name that follows from the text, with rows as arrays", async () => {
    const { db, sent } = recordingHandle();
    const statement = new NamedStatement("select id, name from t where id < $1");

    expect(await statement.rows(db, ["7"])).toEqual([["1", "a"]]);
    await new NamedStatement("select id, name from t where id < $1").rows(db, ["8"]);
    await new NamedStatement("select id, name from t where id > $1").rows(db, ["9"]);

    expect(sent[0]).toMatchObject({
      text: "select id, name from t where id < $1",
      values: ["7"],
      rowMode: "array",
    });
    expect(sent[0]?.name).toMatch(/^imagesync_[0-9a-f]{24}$/);
    expect(sent[1]?.name).toBe(sent[0]?.name);
    expect(sent[2]?.name).not.toBe(sent[0]?.name);
  });

  it("reads int8 as the text pg-types returns for it, and every other type with pg's parser", async () => {
    const { db, sent } = recordingHandle();
    await new NamedStatement("select 1").rows(db, []);
    const parser = (types: pg.CustomTypesConfig | undefined, oid: number) =>
      types?.getTypeParser(oid, "text") as ((text: string) => unknown) | undefined;
    const { INT4, INT8, TEXT, TIMESTAMPTZ } = pg.types.builtins;
    for (const int8 of ["9007199254740993", "-42", "0"]) {
      expect(parser(sent[0]?.types, INT8)?.(int8)).toBe(parser(pg.types, INT8)?.(int8));
    }
    for (const oid of [INT4, TEXT, TIMESTAMPTZ])
      expect(parser(sent[0]?.types, oid)).toBe(parser(pg.types, oid));
  });

  it("refuses a handle connectDatabase did not make", async () => {
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: {} as never }) });
    await expect(new NamedStatement("select 1").rows(db, [])).rejects.toThrow("not made by connectDatabase");
  });
});
