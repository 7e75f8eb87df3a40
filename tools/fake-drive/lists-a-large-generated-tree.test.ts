import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { generateTree, type FakeDrive } from "./index.ts";
import { startTestDrive } from "./test-support.ts";

// The 100,000-file figures come from measure-large-tree.ts; this keeps the unit suite quick on 2 cores.
const FILES = 10_000;
const PRODUCT_FIELDS =
  "nextPageToken,incompleteSearch,files(id,name,mimeType,size,md5Checksum,sha256Checksum,modifiedTime," +
  "createdTime,parents,resourceKey,shortcutDetails,imageMediaMetadata(width,height,rotation,time,cameraMake," +
  "cameraModel,location),capabilities/canDownload,trashed)";

// Generous timeout: the machine is shared with other builds; the test asserts completeness, not speed.
describe("a large generated tree", { timeout: 60_000 }, () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let rootId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    rootId = generateTree(fake.tree, { files: FILES, size: 5_000_000 }).rootId;
  });
  afterAll(() => fake.close());

  it("lists completely in pages of 1000 with the product's fields", async () => {
    const ids = new Set<string>();
    let pages = 0;
    let pageToken: string | undefined;
    do {
      const { data } = await client.files.list({
        q: `'${rootId}' in parents and trashed = false`,
        pageSize: 1000,
        pageToken,
        fields: PRODUCT_FIELDS,
      });
      for (const file of data.files ?? []) {
        ids.add(file.id!);
        expect(file.size).toBe("5000000");
      }
      pages += 1;
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(ids.size).toBe(FILES);
    expect(pages).toBe(FILES / 1000);
  });
});
