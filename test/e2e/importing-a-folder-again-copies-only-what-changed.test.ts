import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConditionType, FileReason, type ImageImport } from "../../lib/imageimport/index.ts";
import { STOCK_IMAGES, startFakeDrive, type FakeDrive } from "../../tools/fake-drive/index.ts";
import { eventually } from "../support/eventually.ts";
import { TestSystem } from "../support/system.ts";

const apiKey = "again-key";

describe("importing the same folder again", () => {
  let drive: FakeDrive;
  let system: TestSystem;

  beforeAll(async () => {
    drive = await startFakeDrive({ apiKeys: [apiKey] });
    system = await new TestSystem({ driveRootUrl: drive.rootUrl, driveApiKey: apiKey }).start();
  });

  afterAll(async () => {
    await system?.stop();
    await drive?.close();
  });

  async function finished(name: string): Promise<ImageImport> {
    return eventually(
      `${name} to finish`,
      () => system.readImport(name),
      (i) =>
        i.status?.conditions?.some((c) => c.type === ConditionType.Succeeded && c.status === "True") ?? false,
      { timeoutMs: 90_000 },
    );
  }

  it("copies nothing unchanged and picks up the added and the changed file", async () => {
    const rootId = drive.tree.addFolder({ name: "Album" });
    const ids = Array.from({ length: 6 }, (_, i) =>
      drive.tree.addFile({
        parentId: rootId,
        name: `photo-${i}.jpg`,
        image: STOCK_IMAGES.scan,
        size: 20_000,
      }),
    );
    const spec = {
      source: { googleDrive: { folderUrl: drive.folderUrl(rootId) } },
      destination: { prefix: `${system.namespace}/albums/album/` },
    };
    await system.createImport("first", spec);
    expect((await finished("first")).status?.progress).toMatchObject({ succeeded: 6, skipped: 0 });

    const changed = ids[0] ?? "";
    drive.tree.replaceContent(changed, { image: STOCK_IMAGES.thumbnail, size: 9_000 });
    const added = drive.tree.addFile({
      parentId: rootId,
      name: "new.png",
      image: STOCK_IMAGES.icon,
      size: 4_000,
    });
    drive.stats.reset();

    await system.createImport("second", spec);
    const second = await finished("second");
    expect(second.status?.progress).toMatchObject({ total: 7, succeeded: 2, skipped: 5, failed: 0 });

    // Only the changed and the added file were downloaded again.
    const downloaded = Object.entries(drive.stats.snapshot().byFile)
      .filter(([, counts]) => counts.media !== undefined)
      .map(([id]) => id)
      .sort();
    expect(downloaded).toEqual([added, changed].sort());

    const unchanged = await system.db
      .selectFrom("import_files")
      .select(["file_id", "error_reason"])
      .where("import_uid", "=", second.metadata?.uid ?? "")
      .where("state", "=", "skipped")
      .execute();
    expect(unchanged.map((r) => r.error_reason)).toEqual(Array(5).fill(FileReason.AlreadyStored));

    // One row per file, the changed one carrying its new content.
    const rows = await system.db.selectFrom("images").select(["source_id", "size"]).execute();
    expect(rows).toHaveLength(7);
    expect(Number(rows.find((r) => r.source_id === changed)?.size)).toBe(9_000);
  });
});
