import { describe, expect, it } from "vitest";
import { defaultObjectPrefix, objectKeyFor, sanitizeSegment } from "./object-key.ts";

describe("objectKeyFor", () => {
  it("keeps the folder path and name readable behind the file id", () => {
    expect(objectKeyFor("team/holidays/", "2024/Summer", "1abcDEF", "beach.jpg")).toBe(
      "team/holidays/2024/Summer/1abcDEF-beach.jpg",
    );
  });

  it("gives files with the same name in one folder different keys", () => {
    expect(objectKeyFor("p/", "a", "id1", "x.png")).not.toBe(objectKeyFor("p/", "a", "id2", "x.png"));
  });

  it("never lets a name or folder escape the prefix", () => {
    const key = objectKeyFor("p/", "../../etc", "id1", "../passwd");
    expect(key.startsWith("p/")).toBe(true);
    expect(key.split("/")).not.toContain("..");
    expect(key).toBe("p/__/__/etc/id1-.._passwd");
  });

  it("replaces separators and control characters inside names", () => {
    expect(sanitizeSegment("a/b\\c\u0001d")).toBe("a_b_c_d");
    expect(sanitizeSegment("..")).toBe("__");
    expect(sanitizeSegment("")).toBe("_");
  });

  it("normalises unicode and bounds long names", () => {
    expect(sanitizeSegment("e\u0301")).toBe("\u00e9");
    const long = objectKeyFor("p/", "", "id1", "ж".repeat(300));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(1024);
    expect(long.startsWith("p/id1-ж")).toBe(true);
  });

  it("falls back to the file's own segment when the path is too deep for S3", () => {
    const deep = Array.from({ length: 40 }, (_, i) => `folder-${i}-${"x".repeat(40)}`).join("/");
    expect(objectKeyFor("p/", deep, "id1", "a.jpg")).toBe("p/id1-a.jpg");
  });

  it("derives the default prefix from namespace and name", () => {
    expect(defaultObjectPrefix("team", "holidays")).toBe("team/holidays/");
  });
});
