import { describe, expect, it } from "vitest";
import { DriveApiError } from "./errors.ts";
import { matchesQuery, parentScope, parseQuery, referencedParents } from "./query.ts";
import { FakeTree } from "./tree.ts";

const tree = new FakeTree({ now: () => Date.parse("2024-05-01T00:00:00Z") });
const folder = tree.addFolder({ name: "A" });
const other = tree.addFolder({ name: "B" });
const photo = tree.get(
  tree.addFile({
    parentId: folder,
    name: "Holiday Photo's.jpg",
    image: { format: "jpeg", width: 8, height: 8 },
    modifiedTime: "2024-03-01T12:00:00Z",
  }),
)!;
const trashedDoc = tree.get(tree.addDoc({ parentId: other, name: "Plan", trashed: true }))!;

const matches = (q: string, item = photo): boolean => matchesQuery(parseQuery(q), item);

describe("the q parser", () => {
  it("reads terms with and without spaces, in any keyword case", () => {
    expect(matches(`'${folder}' in parents and trashed=false`)).toBe(true);
    expect(matches(`'${folder}' IN parents AND trashed = false`)).toBe(true);
    expect(matches(`mimeType='image/jpeg'`)).toBe(true);
    expect(matches(`mimeType != 'application/vnd.google-apps.folder'`)).toBe(true);
    expect(matches(`mimeType contains 'image/'`)).toBe(true);
    expect(matches(`name = 'Holiday Photo\\'s.jpg'`)).toBe(true);
  });

  it("matches name contains on word prefixes, ignoring case", () => {
    expect(matches(`name contains 'holi'`)).toBe(true);
    expect(matches(`name contains 'photo'`)).toBe(true);
    expect(matches(`name contains 'iday'`)).toBe(false);
  });

  it("binds and tighter than or, and honours parentheses and not", () => {
    const q = `'${other}' in parents or '${folder}' in parents and trashed = true`;
    expect(matches(q)).toBe(false);
    expect(matches(q, trashedDoc)).toBe(true);
    expect(matches(`('${other}' in parents or '${folder}' in parents) and trashed = false`)).toBe(true);
    expect(matches(`not mimeType = 'image/jpeg'`)).toBe(false);
    expect(matches(`not (trashed = true or name = 'x')`)).toBe(true);
  });

  it("compares modifiedTime and createdTime as RFC 3339 (UTC when no offset)", () => {
    expect(matches(`modifiedTime > '2024-02-29T23:59:59'`)).toBe(true);
    expect(matches(`modifiedTime >= '2024-03-01T13:00:00+01:00'`)).toBe(true);
    expect(matches(`modifiedTime < '2024-03-01T12:00:00Z'`)).toBe(false);
    expect(matches(`createdTime = '2024-05-01T00:00:00.000Z'`)).toBe(true);
  });

  it("confines the candidates to the listed folders only when every branch does", () => {
    expect(parentScope(parseQuery(`'a' in parents and trashed = false`))).toEqual(["a"]);
    expect(parentScope(parseQuery(`('a' in parents or 'b' in parents) and name = 'x'`))).toEqual(["a", "b"]);
    expect(parentScope(parseQuery(`'a' in parents or name = 'x'`))).toBeUndefined();
    expect(parentScope(parseQuery(`not 'a' in parents`))).toBeUndefined();
    expect(referencedParents(parseQuery(`'a' in parents or name = 'x' or not 'b' in parents`))).toEqual([
      "a",
    ]);
  });

  it.each([
    "",
    "fullText contains 'x'",
    "'me' in owners",
    "starred = true",
    `name = "double quotes"`,
    "name = 'unterminated",
    "name = 'bad \\escape'",
    "trashed = 'false'",
    "(trashed = false",
    "trashed = false)",
    "trashed = false and",
    "name contains",
    "modifiedTime > 'yesterday'",
    "'a' in folders",
    "name == 'x'",
  ])("refuses %j with Drive's 400 invalid on q", (q) => {
    const error = (() => {
      try {
        parseQuery(q);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DriveApiError);
    expect((error as DriveApiError).body()).toEqual({
      error: {
        code: 400,
        message: "Invalid Value",
        errors: [
          {
            message: "Invalid Value",
            domain: "global",
            reason: "invalid",
            location: "q",
            locationType: "parameter",
          },
        ],
        status: "INVALID_ARGUMENT",
      },
    });
  });
});
