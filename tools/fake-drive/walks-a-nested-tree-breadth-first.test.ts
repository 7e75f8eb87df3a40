import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { FOLDER_MIME_TYPE, generateTree, type FakeDrive, type GeneratedTree } from "./index.ts";
import { startTestDrive } from "./test-support.ts";

/** Lists every page of a query. */
async function listAll(client: drive_v3.Drive, q: string): Promise<drive_v3.Schema$File[]> {
  const files: drive_v3.Schema$File[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await client.files.list({
      q,
      pageSize: 1000,
      pageToken,
      fields: "nextPageToken,files(id,name,mimeType,parents,trashed)",
    });
    files.push(...(data.files ?? []));
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return files;
}

/** The product's walk: one folder level at a time, up to `batch` parents per query joined with `or`. */
async function walk(client: drive_v3.Drive, rootId: string, batch: number): Promise<drive_v3.Schema$File[]> {
  const files: drive_v3.Schema$File[] = [];
  let level = [rootId];
  while (level.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += batch) {
      const parents = level.slice(i, i + batch).map((id) => `'${id}' in parents`);
      for (const item of await listAll(client, `(${parents.join(" or ")}) and trashed = false`)) {
        if (item.mimeType === FOLDER_MIME_TYPE) next.push(item.id!);
        else files.push(item);
      }
    }
    level = next;
  }
  return files;
}

describe("a recursive breadth-first walk", { timeout: 30_000 }, () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let generated: GeneratedTree;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    generated = generateTree(fake.tree, {
      files: 600,
      size: 1_500,
      folders: 40,
      depth: 4,
      docs: 0.05,
      shortcuts: 0.05,
      nonImages: 0.1,
    });
  });
  afterAll(() => fake.close());

  it("finds every generated item, one folder at a time or 50 parents per query", async () => {
    const total = Object.values(generated.counts).reduce((sum, n) => sum + n, 0);
    const oneByOne = await walk(client, generated.rootId, 1);
    const batched = await walk(client, generated.rootId, 50);
    expect(oneByOne).toHaveLength(total);
    expect(new Set(batched.map((file) => file.id))).toEqual(new Set(oneByOne.map((file) => file.id)));
    expect(fake.stats.snapshot().byRoute.list).toBeGreaterThan(40);
  });

  it("reaches every level of folders", () => {
    const deepest = generated.folderIds.at(-1)!;
    let depth = 0;
    for (let id: string | undefined = deepest; id !== generated.rootId; id = fake.tree.get(id!)?.parentId)
      depth++;
    expect(depth).toBe(4);
  });

  it("leaves out a trashed folder's subtree with trashed = false and shows it with trashed = true", async () => {
    const folderId = generated.folderIds[0]!;
    const before = await walk(client, generated.rootId, 50);
    const inside = (await walk(client, folderId, 50)).length;
    fake.tree.trash(folderId);
    const after = await walk(client, generated.rootId, 50);
    expect(after).toHaveLength(before.length - inside);
    const trashed = await listAll(client, `'${generated.rootId}' in parents and trashed = true`);
    expect(trashed.map((file) => file.id)).toEqual([folderId]);
    fake.tree.untrash(folderId);
    expect(await walk(client, generated.rootId, 50)).toHaveLength(before.length);
  });
});
