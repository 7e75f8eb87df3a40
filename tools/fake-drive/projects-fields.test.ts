import { describe, expect, it } from "vitest";
import { DriveApiError } from "./errors.ts";
import { parseFields, project, validateSelection, type Schema, type Selection } from "./fields.ts";

const SCHEMA: Schema = {
  nextPageToken: "leaf",
  files: {
    id: "leaf",
    name: "leaf",
    owners: "any",
    meta: { width: "leaf", height: "leaf", where: { lat: "leaf" } },
  },
};

/** A selection as plain nested objects, for readable expectations. */
function plain(selection: Selection | undefined): unknown {
  return selection && Object.fromEntries([...selection].map(([field, sub]) => [field, plain(sub) ?? true]));
}

describe("fields", () => {
  it("parses lists, nesting, paths and stars", () => {
    expect(plain(parseFields("nextPageToken,files(id,meta(width,where/lat)),files/name"))).toEqual({
      nextPageToken: true,
      files: { id: true, meta: { width: true, where: { lat: true } }, name: true },
    });
    expect(plain(parseFields("files(*)"))).toEqual({ files: { "*": true } });
    expect(plain(parseFields(" files( id , name ) "))).toEqual({ files: { id: true, name: true } });
  });

  it("keeps a whole selection over a partial one of the same field", () => {
    expect(plain(parseFields("files,files(id)"))).toEqual({ files: true });
    expect(plain(parseFields("files(id),files"))).toEqual({ files: true });
  });

  it("projects objects and arrays, omitting what is absent", () => {
    const value = {
      nextPageToken: "t",
      files: [
        { id: "1", name: "a", meta: { width: 1, height: 2, where: { lat: 3, lon: 4 } } },
        { id: "2", name: "b" },
      ],
    };
    expect(project(value, parseFields("files(id,meta(height,where/lat))"))).toEqual({
      files: [{ id: "1", meta: { height: 2, where: { lat: 3 } } }, { id: "2" }],
    });
    expect(project(value, parseFields("*"))).toBe(value);
  });

  it("refuses unknown fields and sub-fields of plain values, like Drive", () => {
    for (const [fields, name] of [
      ["files(colour)", "colour"],
      ["files(meta(depth))", "depth"],
      ["files(id(x))", "id"],
      ["kind", "kind"],
    ]) {
      expect(() => validateSelection(parseFields(fields!), SCHEMA), fields).toThrow(
        `Invalid field selection ${name}`,
      );
    }
    expect(() => validateSelection(parseFields("files(owners(anything))"), SCHEMA)).not.toThrow();
  });

  it("refuses bad syntax with Drive's 400 invalidParameter", () => {
    for (const fields of ["files(id", "files()", "a,,b", "files)id(", "a b"]) {
      expect(() => parseFields(fields), fields).toThrow(DriveApiError);
    }
  });
});
