import pg from "pg";
import { describe, expect, it } from "vitest";
import { isoTimestamp } from "./image-view.ts";

// What the API wrote before it sliced text: pg's own Date, formatted by toISOString.
const viaDate = (text: string) =>
  (pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (t: string) => Date)(text).toISOString();

describe("isoTimestamp", () => {
  it("writes UTC timestamps exactly as a Date's toISOString, for every fraction of a second", () => {
    for (let micros = 0; micros < 1_000_000; micros += 7) {
      const fraction = String(micros).padStart(6, "0").replace(/0+$/, "");
      const text = `2025-01-07 06:09:10${fraction === "" ? "" : `.${fraction}`}+00`;
      if (isoTimestamp(text) !== viaDate(text)) expect(isoTimestamp(text)).toBe(viaDate(text));
    }
    expect(isoTimestamp("2025-01-07 06:09:10.123999+00")).toBe("2025-01-07T06:09:10.123Z");
    expect(isoTimestamp("0999-12-31 23:59:59+00")).toBe("0999-12-31T23:59:59.000Z");
  });

  it("takes other offsets through a Date", () => {
    for (const text of ["2025-01-07 08:09:10.123999+02", "2025-01-07 01:39:10.5-04:30"]) {
      expect(isoTimestamp(text)).toBe(viaDate(text));
    }
    expect(isoTimestamp("2025-01-07 08:09:10.123999+02")).toBe("2025-01-07T06:09:10.123Z");
  });
});
