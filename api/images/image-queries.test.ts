import {
  AliasNode,
  ColumnNode,
  DummyDriver,
  IdentifierNode,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  ReferenceNode,
} from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/index.ts";
import { imageColumns, imageRecordOf } from "./image-queries.ts";

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (handle) => new PostgresIntrospector(handle),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The names of the columns `imageColumns` selects, in select order. */
function selectedNames(): string[] {
  const selections = db.selectFrom("images").select(imageColumns).toOperationNode().selections ?? [];
  return selections.map(({ selection }) => {
    if (AliasNode.is(selection) && IdentifierNode.is(selection.alias)) return selection.alias.name;
    if (ReferenceNode.is(selection) && ColumnNode.is(selection.column)) return selection.column.column.name;
    throw new Error(`unexpected selection ${selection.kind}`);
  });
}

describe("imageRecordOf", () => {
  it("reads every field from its column's position in imageColumns", () => {
    const names = selectedNames();
    expect(names).toHaveLength(21);
    // A row whose every value is its column's name maps each field onto itself.
    expect(imageRecordOf(names)).toEqual(Object.fromEntries(names.map((name) => [name, name])));
  });
});
