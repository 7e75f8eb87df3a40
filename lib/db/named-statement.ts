import { hash } from "node:crypto";
import type { Kysely } from "kysely";
import pg from "pg";

// The pool behind each handle connectDatabase made: kysely sends every statement unnamed, as text.
const pools = new WeakMap<object, pg.Pool>();

/** Lets named statements run on `db`'s connections (connectDatabase calls it). */
export function enableNamedStatements<DB>(db: Kysely<DB>, pool: pg.Pool): void {
  pools.set(db, pool);
}

/**
 * pg's own parsers, but int8 text as it comes: pg-types hands it back unchanged too, after String() and a
 * regular-expression test per value (two of a page's 21 columns, a regex per row each).
 */
const int8 = pg.types.builtins.INT8 as number;
const textParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === int8 && format !== "binary"
      ? (text: string) => text
      : (pg.types.getTypeParser(oid, format) as (
          text: string,
        ) => unknown)) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * A statement that runs many times a second, sent as a named prepared statement: each connection has
 * PostgreSQL parse and analyse it once rather than on every run (the planner still sees each run's
 * values while it judges a custom plan better). Rows come back as arrays of column values in select
 * order, so no object is built per row only to be read once. Not for a pooler in transaction mode,
 * which would send the execution to a server session that never saw the statement.
 */
export class NamedStatement {
  readonly sql: string;
  readonly #name: string;

  constructor(sql: string) {
    this.sql = sql;
    // The name follows from the text, so two statements with one name cannot differ.
    this.#name = `imagesync_${hash("sha256", sql, "hex").slice(0, 24)}`;
  }

  /** Runs the statement on `db` with `parameters` in its `$n` placeholders; one array per row. */
  async rows<DB>(db: Kysely<DB>, parameters: unknown[]): Promise<unknown[][]> {
    const pool = pools.get(db);
    if (pool === undefined) throw new Error("NamedStatement: this handle was not made by connectDatabase");
    const result = await pool.query<unknown[]>({
      name: this.#name,
      text: this.sql,
      values: parameters,
      rowMode: "array",
      types: textParsers,
    });
    return result.rows;
  }
}
