import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { FOLDER_MIME_TYPE, SHORTCUT_MIME_TYPE, type FakeDrive } from "./index.ts";
import { failureOf, startTestDrive } from "./test-support.ts";

describe("shortcuts", () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let rootId: string;
  let childId: string;
  let photoId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    rootId = fake.tree.addFolder({ name: "root" });
    childId = fake.tree.addFolder({ name: "child", parentId: rootId });
    photoId = fake.tree.addFile({
      parentId: rootId,
      name: "p.jpg",
      image: { format: "jpeg", width: 64, height: 48 },
    });
    fake.tree.addShortcut({ parentId: childId, name: "good", targetId: photoId });
    fake.tree.addShortcut({ parentId: childId, name: "loop", targetId: rootId });
    const goneId = fake.tree.addFile({ parentId: rootId, name: "gone.jpg", size: 10 });
    fake.tree.addShortcut({ parentId: childId, name: "dangling", targetId: goneId });
    fake.tree.remove(goneId);
    fake.tree.addShortcut({
      parentId: childId,
      name: "never existed",
      targetId: "1NeverExisted00000000000000000000",
      targetMimeType: "image/png",
    });
  });
  afterAll(() => fake.close());

  async function shortcuts(): Promise<Map<string, drive_v3.Schema$File>> {
    const { data } = await client.files.list({
      q: `'${childId}' in parents and mimeType = '${SHORTCUT_MIME_TYPE}'`,
      fields: "files(id,name,mimeType,size,md5Checksum,shortcutDetails)",
    });
    return new Map(data.files!.map((file) => [file.name!, file]));
  }

  it("lists shortcuts with shortcutDetails and no size or md5", async () => {
    const listed = await shortcuts();
    expect([...listed.keys()]).toEqual(["good", "loop", "dangling", "never existed"]);
    for (const file of listed.values()) {
      expect(file.size).toBeUndefined();
      expect(file.md5Checksum).toBeUndefined();
    }
    expect(listed.get("good")!.shortcutDetails).toEqual({ targetId: photoId, targetMimeType: "image/jpeg" });
  });

  it("resolves a good shortcut to its target", async () => {
    const target = (await shortcuts()).get("good")!.shortcutDetails!.targetId!;
    const { data } = await client.files.get({ fileId: target, fields: "id,name,md5Checksum" });
    expect(data).toMatchObject({ id: photoId, name: "p.jpg" });
    expect(data.md5Checksum).toMatch(/^[0-9a-f]{32}$/);
  });

  it("answers 404 for a dangling shortcut's target", async () => {
    for (const name of ["dangling", "never existed"]) {
      const target = (await shortcuts()).get(name)!.shortcutDetails!.targetId!;
      expect(await failureOf(() => client.files.get({ fileId: target }))).toMatchObject({
        status: 404,
        reason: "notFound",
      });
    }
  });

  it("points a looping folder shortcut at an ancestor of itself", async () => {
    const loop = (await shortcuts()).get("loop")!.shortcutDetails!;
    expect(loop).toEqual({ targetId: rootId, targetMimeType: FOLDER_MIME_TYPE });
    const { data } = await client.files.get({ fileId: childId, fields: "parents" });
    expect(data.parents).toEqual([loop.targetId]);
  });

  it("carries the target's resource key", async () => {
    const key = fake.tree.setResourceKey(photoId);
    expect((await shortcuts()).get("good")!.shortcutDetails!.targetResourceKey).toBe(key);
    fake.tree.clearResourceKey(photoId);
  });

  it("refuses to download a shortcut, a folder or a Doc: 403 fileNotDownloadable", async () => {
    const docId = fake.tree.addDoc({ parentId: rootId, name: "Plan" });
    const shortcutId = (await shortcuts()).get("good")!.id!;
    for (const fileId of [shortcutId, childId, docId]) {
      const failure = await failureOf(() =>
        client.files.get({ fileId, alt: "media" }, { responseType: "stream" }),
      );
      expect(failure).toMatchObject({ status: 403, reason: "fileNotDownloadable" });
    }
  });
});
