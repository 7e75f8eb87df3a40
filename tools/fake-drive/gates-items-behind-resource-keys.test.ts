import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import type { FakeDrive } from "./index.ts";
import { download, failureOf, startTestDrive } from "./test-support.ts";

const HEADER = "X-Goog-Drive-Resource-Keys";

describe("resource keys", () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let folderId: string;
  let folderKey: string;
  let fileId: string;
  let fileKey: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    folderId = fake.tree.addFolder({ name: "pre-2021 share", resourceKey: true });
    folderKey = fake.tree.get(folderId)!.resourceKey!;
    fileId = fake.tree.addFile({
      parentId: folderId,
      name: "old.png",
      image: { format: "png", width: 8, height: 8 },
    });
    fileKey = fake.tree.setResourceKey(fileId);
    fake.tree.addFile({ parentId: folderId, name: "plain.bin", size: 10 });
  });
  afterAll(() => fake.close());

  it("answers 404 notFound, like a missing file, on list, get and media without the key", async () => {
    const missing = await failureOf(() => client.files.get({ fileId: "1NoSuchFileAnywhere000000000000000" }));
    const list = await failureOf(() => client.files.list({ q: `'${folderId}' in parents` }));
    const get = await failureOf(() => client.files.get({ fileId: folderId }));
    const media = await failureOf(() => download(client, fileId));
    for (const failure of [missing, list, get, media]) {
      expect(failure).toMatchObject({ status: 404, reason: "notFound" });
    }
    expect(get.message).toBe(`File not found: ${folderId}.`);
    expect(JSON.stringify(get.body).replaceAll(folderId, "ID")).toBe(
      JSON.stringify(missing.body).replaceAll("1NoSuchFileAnywhere000000000000000", "ID"),
    );
  });

  it("lists a keyed folder's children, with their own keys, once the folder's key is sent", async () => {
    const { data } = await client.files.list(
      { q: `'${folderId}' in parents`, fields: "files(id,name,resourceKey)" },
      { headers: { [HEADER]: `${folderId}/${folderKey}` } },
    );
    expect(data.files?.map((file) => [file.name, file.resourceKey])).toEqual([
      ["old.png", fileKey],
      ["plain.bin", undefined],
    ]);
    expect(data.files?.[0]?.id).toBe(fileId);
  });

  it("serves a keyed file only when the header names its own key (several pairs allowed)", async () => {
    const wrongKey = await failureOf(() =>
      download(client, fileId, { [HEADER]: `${folderId}/${folderKey}` }),
    );
    expect(wrongKey.status).toBe(404);
    const headers = { [HEADER]: `${folderId}/${folderKey},${fileId}/${fileKey}` };
    expect((await download(client, fileId, headers)).length).toBeGreaterThan(0);
    const { data } = await client.files.get({ fileId, fields: "id,resourceKey" }, { headers });
    expect(data).toEqual({ id: fileId, resourceKey: fileKey });
  });
});
