import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STOCK_IMAGES } from "../../tools/fake-drive/index.ts";
import { parseFolderUrl, Reason } from "../imageimport/index.ts";
import { DriveClients } from "./client.ts";
import { resolveFolder } from "./folder.ts";
import { startDriveUnderTest, testApiKey, type DriveUnderTest } from "./test-support.ts";

describe("resolveFolder", () => {
  let env: DriveUnderTest;

  beforeEach(async () => {
    env = await startDriveUnderTest();
  });
  afterEach(() => env.close());

  it("resolves a pasted link, resource key included", async () => {
    const id = env.fake.tree.addFolder({ name: "Old share", resourceKey: true });
    const parsed = parseFolderUrl(env.fake.folderUrl(id));
    if (!parsed.ok) throw new Error(parsed.message);
    const resolution = await resolveFolder(env.drive, parsed.folder);
    expect(resolution).toEqual({
      ok: true,
      folder: { id, name: "Old share", resourceKey: env.fake.tree.get(id)?.resourceKey },
    });
  });

  it("says all three causes when Drive answers 404: not public, wrong id, missing resource key", async () => {
    const keyed = env.fake.tree.addFolder({ name: "Old share", resourceKey: true });
    for (const ref of [
      { folderId: keyed },
      { folderId: keyed, resourceKey: "0-wrongKey" },
      { folderId: "1NoSuchFolder000000" },
    ]) {
      const resolution = await resolveFolder(env.drive, ref);
      expect(resolution).toMatchObject({
        ok: false,
        problem: { reason: Reason.FolderNotFound, retryable: false },
      });
      const message = resolution.ok ? "" : resolution.problem.message;
      expect(message).toContain("not shared as 'Anyone with the link'");
      expect(message).toContain("the id is wrong");
      expect(message).toContain("resourcekey is missing");
    }
  });

  it("refuses a file, a Doc or a shortcut as NotAFolder", async () => {
    const folder = env.fake.tree.addFolder({ name: "Photos" });
    const file = env.fake.tree.addFile({ parentId: folder, name: "a.jpg", image: STOCK_IMAGES.scan });
    const doc = env.fake.tree.addDoc({ parentId: folder, name: "Plan" });
    const shortcut = env.fake.tree.addShortcut({ parentId: folder, name: "Photos link", targetId: folder });
    for (const folderId of [file, doc, shortcut]) {
      const resolution = await resolveFolder(env.drive, { folderId });
      expect(resolution).toMatchObject({
        ok: false,
        problem: { reason: Reason.NotAFolder, retryable: false },
      });
    }
    const viaShortcut = await resolveFolder(env.drive, { folderId: shortcut });
    expect(viaShortcut.ok ? "" : viaShortcut.problem.message).toContain(
      "paste the link of its target folder",
    );
  });

  it("treats a trashed folder as not found", async () => {
    const id = env.fake.tree.addFolder({ name: "Old", trashed: true });
    await expect(resolveFolder(env.drive, { folderId: id })).resolves.toMatchObject({
      ok: false,
      problem: { reason: Reason.FolderNotFound },
    });
  });

  it("reports a rejected API key as ApiKeyInvalid, without the key", async () => {
    const id = env.fake.tree.addFolder({ name: "Photos" });
    const clients = new DriveClients({ rootUrl: env.fake.rootUrl });
    const resolution = await resolveFolder(clients.forApiKey("AIzaRevokedKey"), { folderId: id });
    clients.close();
    expect(resolution).toMatchObject({
      ok: false,
      problem: { reason: Reason.ApiKeyInvalid, retryable: false },
    });
    expect(resolution.ok ? "" : resolution.problem.message).not.toContain("AIzaRevokedKey");
  });

  it("reports quota and outages as retryable problems once retries are spent", async () => {
    const id = env.fake.tree.addFolder({ name: "Photos" });
    env.fake.faults.add({ routes: ["get"], error: "dailyLimitExceeded", times: 1 });
    await expect(resolveFolder(env.drive, { folderId: id })).resolves.toMatchObject({
      ok: false,
      problem: { reason: Reason.DriveQuotaExceeded, retryable: true },
    });
    env.fake.faults.add({ routes: ["get"], error: "backendError" });
    await expect(resolveFolder(env.drive, { folderId: id })).resolves.toMatchObject({
      ok: false,
      problem: { reason: Reason.DriveUnavailable, retryable: true },
    });
    expect(env.fake.stats.snapshot().byKey[testApiKey]).toBe(1 + 4); // quota: once; outage: every attempt
  });
});
