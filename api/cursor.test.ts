import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";

const isId = (key: string) => /^[1-9][0-9]{0,17}$/.test(key);

describe("cursors", () => {
  it("give back the key they carry", () => {
    expect(decodeCursor("images", encodeCursor("images", "12345"), isId)).toBe("12345");
  });

  it("refuse garbage, a cursor of another listing and a key that fails the check", () => {
    for (const cursor of [
      "not-base64!!",
      "e30",
      encodeCursor("files", "12"),
      encodeCursor("images", "-1"),
      "W10",
    ]) {
      expect(() => decodeCursor("images", cursor, isId)).toThrow(
        expect.objectContaining({ code: "INVALID_CURSOR" }),
      );
    }
  });
});
