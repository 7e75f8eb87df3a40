import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from "kysely";

/** A query built and compiled once, run many times with new values for its named slots. */
export interface PreparedQuery<Slot extends string, Row> {
  /** The SQL text, with `$n` placeholders. */
  readonly sql: string;
  /** The parameters of one run: `values` in their slots, the fixed values in theirs. */
  parameters(values: Readonly<Record<Slot, unknown>>): unknown[];
  /** Runs the query with `values` in its slots. */
  execute(values: Readonly<Record<Slot, unknown>>): Promise<QueryResult<Row>>;
}

// Marks a slot's placeholder while compiling; no real value starts with a NUL character.
const slotMark = "\u0000slot:";

/**
 * Builds a query with kysely once, its variable values left as named slots, and compiles it once. A hot
 * query (one per file) so costs a parameter array per run instead of a build and a compile: kysely spends
 * more CPU assembling and compiling a large statement than the driver spends sending it. `build` receives
 * a placeholder per slot where the query takes a value; anything else it binds stays fixed.
 */
export function prepareQuery<DB, Slot extends string, Row>(
  db: Kysely<DB>,
  slots: readonly Slot[],
  build: (slot: Readonly<Record<Slot, never>>) => Compilable<Row>,
): PreparedQuery<Slot, Row> {
  const placeholders = Object.fromEntries(slots.map((slot) => [slot, `${slotMark}${slot}`])) as Record<
    Slot,
    never
  >;
  const compiled = build(placeholders).compile();
  const known = new Set<string>(slots);
  const parameters = compiled.parameters.map((parameter) => {
    if (typeof parameter !== "string" || !parameter.startsWith(slotMark)) return { fixed: parameter };
    const slot = parameter.slice(slotMark.length);
    if (!known.has(slot)) throw new Error(`prepareQuery: unknown slot ${slot}`);
    return { slot: slot as Slot };
  });
  const unused = slots.filter((slot) => !parameters.some((parameter) => parameter.slot === slot));
  if (unused.length > 0) throw new Error(`prepareQuery: slots ${unused.join(", ")} are not in the query`);
  const sql = compiled.sql;
  const parametersFor = (values: Readonly<Record<Slot, unknown>>) =>
    parameters.map((parameter) => (parameter.slot === undefined ? parameter.fixed : values[parameter.slot]));
  return {
    sql,
    parameters: parametersFor,
    execute: (values) => db.executeQuery<Row>(CompiledQuery.raw(sql, parametersFor(values))),
  };
}
