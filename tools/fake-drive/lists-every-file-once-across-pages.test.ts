import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { generateTree, type FakeDrive } from "./index.ts";
import { failureOf, startTestDrive } from "./test-support.ts";

const FILES = 2_500;
const FIELDS = "nextPageToken,incompleteSearch,files(id,name,mimeType,size,md5Checksum,parents)";

describe("files.list paging", { timeout: 30_000 }, () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let folderId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    folderId = generateTree(fake.tree, { files: FILES, size: 2_000, name: "paged" }).rootId;
  });
  afterAll(() => fake.close());

  it("returns every file exactly once over pages, through an injected empty and short page", async () => {
    const seen = new Map<string, number>();
    const pageLengths: number[] = [];
    let pageToken: string | undefined;
    do {
      // Second call: an empty page; third: a short one. Both must still lead on with a token.
      if (pageLengths.length === 1) fake.faults.add({ routes: ["list"], times: 1, pageFiles: 0 });
      if (pageLengths.length === 2) fake.faults.add({ routes: ["list"], times: 1, pageFiles: 7 });
      const { data } = await client.files.list({
        q: `'${folderId}' in parents and trashed = false`,
        pageSize: 1000,
        fields: FIELDS,
        pageToken,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      });
      expect(data.incompleteSearch).toBe(false);
      pageLengths.push(data.files?.length ?? 0);
      for (const file of data.files ?? []) {
        seen.set(file.id!, (seen.get(file.id!) ?? 0) + 1);
        expect(file.parents).toEqual([folderId]);
        expect(file.md5Checksum).toMatch(/^[0-9a-f]{32}$/);
        expect(file.size).toBe("2000");
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);

    expect(pageLengths).toEqual([1000, 0, 7, 1000, 493]);
    expect(seen.size).toBe(FILES);
    expect([...seen.values()].every((times) => times === 1)).toBe(true);
  });

  it("projects only the requested fields, and Drive's four without `fields`", async () => {
    const { data } = await client.files.list({ q: `'${folderId}' in parents`, pageSize: 2 });
    expect(Object.keys(data).sort()).toEqual(["files", "incompleteSearch", "kind", "nextPageToken"]);
    expect(Object.keys(data.files![0]!).sort()).toEqual(["id", "kind", "mimeType", "name"]);

    const narrow = await client.files.list({
      q: `'${folderId}' in parents`,
      pageSize: 2,
      fields: "files(id)",
    });
    expect(Object.keys(narrow.data)).toEqual(["files"]);
    expect(narrow.data.files?.map((file) => Object.keys(file))).toEqual([["id"], ["id"]]);
  });

  it("coerces pageSize above 1000 and defaults to 100", async () => {
    const big = await client.files.list({
      q: `'${folderId}' in parents`,
      pageSize: 5000,
      fields: "files(id)",
    });
    expect(big.data.files).toHaveLength(1000);
    const plain = await client.files.list({ q: `'${folderId}' in parents`, fields: "files(id)" });
    expect(plain.data.files).toHaveLength(100);
  });

  it("refuses a page token from another query, a bad pageSize and an unknown field", async () => {
    const first = await client.files.list({ q: `'${folderId}' in parents`, pageSize: 10 });
    const otherQuery = await failureOf(() =>
      client.files.list({
        q: `'${folderId}' in parents and trashed = false`,
        pageToken: first.data.nextPageToken!,
      }),
    );
    expect(otherQuery).toMatchObject({ status: 400, reason: "invalid", message: "Invalid Value" });
    const badSize = await failureOf(() => client.files.list({ q: `'${folderId}' in parents`, pageSize: 0 }));
    expect(badSize).toMatchObject({ status: 400, reason: "invalid" });
    const badField = await failureOf(() => client.files.list({ fields: "files(id,colour)" }));
    expect(badField).toMatchObject({
      status: 400,
      reason: "invalidParameter",
      message: "Invalid field selection colour",
    });
  });

  it("ends a listing early when a fault drops the token (as Drive does for some batched queries)", async () => {
    fake.faults.add({ routes: ["list"], fileId: folderId, times: 1, endListing: true });
    const { data } = await client.files.list({ q: `'${folderId}' in parents`, pageSize: 10, fields: FIELDS });
    expect(data.files).toHaveLength(10);
    expect(data.nextPageToken).toBeUndefined();
  });
});
