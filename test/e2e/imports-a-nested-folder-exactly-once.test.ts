import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { imageSize } from "image-size";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConditionType, FileReason } from "../../lib/imageimport/index.ts";
import { ODD_NAMES, STOCK_IMAGES, startFakeDrive, type FakeDrive } from "../../tools/fake-drive/index.ts";
import { dashboardQueries, ruleQueries } from "../chart/monitoring-assets.ts";
import { startPrometheus, type RunningPrometheus } from "../chart/prometheus.ts";
import { eventually } from "../support/eventually.ts";
import { TestSystem } from "../support/system.ts";

const apiKey = "e2e-key";

/** The folder users meet: nesting, shortcuts, duplicate and hostile names, non-images, a Doc, resource keys. */
function buildFolder(drive: FakeDrive) {
  const tree = drive.tree;
  const rootId = tree.addFolder({ name: "Team photos", resourceKey: true });
  const nested = tree.addFolder({ name: "Nested", parentId: rootId, resourceKey: true });
  const deeper = tree.addFolder({ name: "Deeper", parentId: nested });
  const outside = tree.addFolder({ name: "Shared elsewhere" });
  const images = new Map<string, { width: number; height: number }>();
  const image = (parentId: string, name: string, look: keyof typeof STOCK_IMAGES, size: number): string => {
    const id = tree.addFile({ parentId, name, image: STOCK_IMAGES[look], size });
    images.set(id, { width: STOCK_IMAGES[look].width, height: STOCK_IMAGES[look].height });
    return id;
  };
  const first = image(rootId, "a.jpg", "eiffelTower", 120_000);
  image(rootId, "a.jpg", "scan", 40_000); // same name, another file
  image(nested, "b.png", "screenshot", 60_000);
  image(deeper, "c.jpg", "tokyoTower", 250_000);
  image(outside, "d.jpg", "parkHd", 80_000);
  for (const [index, name] of ODD_NAMES.slice(0, 4).entries())
    image(deeper, `${index}-${name}`, "thumbnail", 5_000);
  image(rootId, "x".repeat(300) + ".jpg", "icon", 3_000);
  const corrupt = image(nested, "corrupt.jpg", "avatar", 20_000);
  images.delete(corrupt);
  tree.addShortcut({ name: "a again.jpg", parentId: nested, targetId: first });
  tree.addShortcut({ name: "elsewhere", parentId: rootId, targetId: outside });
  tree.addShortcut({
    name: "gone.jpg",
    parentId: rootId,
    targetId: "1MissingTargetXYZ",
    targetMimeType: "image/jpeg",
  });
  tree.addFile({ parentId: rootId, name: "notes.txt", mimeType: "text/plain", size: 300 });
  tree.addDoc({ parentId: nested, name: "Trip plan" });
  // Drive serves bytes that do not match the md5 it lists, every time.
  drive.faults.add({ fileId: corrupt, routes: ["media"], wrongMd5: true });
  return { rootId, images, corrupt };
}

describe("an import of a nested folder, end to end", () => {
  let drive: FakeDrive;
  let system: TestSystem;
  let folder: ReturnType<typeof buildFolder>;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    drive = await startFakeDrive({ apiKeys: [apiKey] });
    folder = buildFolder(drive);
    system = await new TestSystem({ driveRootUrl: drive.rootUrl, driveApiKey: apiKey, workers: 2 }).start();
    prometheus = await startPrometheus(system.metricsTargets);
    await prometheus.waitForTargets(system.metricsTargets.length);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await system?.stop();
    await drive?.close();
  });

  it("stores every image once with its bytes, key and metadata, and says why the rest was not", async () => {
    await system.createImport("team-photos", {
      source: { googleDrive: { folderUrl: drive.folderUrl(folder.rootId) } },
      backoffLimitPerFile: 1,
    });
    const done = await eventually(
      "the import to finish",
      () => system.readImport("team-photos"),
      (i) =>
        i.status?.conditions?.some((c) => c.type === ConditionType.Succeeded && c.status !== "Unknown") ??
        false,
      { timeoutMs: 90_000 },
    );

    const imageCount = folder.images.size;
    expect(done.status?.conditions?.find((c) => c.type === ConditionType.Succeeded)).toMatchObject({
      status: "True",
    });
    expect(done.status?.progress).toMatchObject({
      total: imageCount + 1 + 3,
      succeeded: imageCount,
      failed: 1,
      skipped: 3,
      queued: 0,
    });
    expect(done.status?.failures).toEqual([
      expect.objectContaining({ fileId: folder.corrupt, reason: FileReason.ChecksumMismatch }),
    ]);

    const skipped = await system.db
      .selectFrom("import_files")
      .select(["name", "error_reason"])
      .where("state", "=", "skipped")
      .orderBy("name")
      .execute();
    expect(skipped).toEqual([
      { name: "Trip plan", error_reason: FileReason.MimeTypeExcluded },
      { name: "gone.jpg", error_reason: FileReason.DanglingShortcut },
      { name: "notes.txt", error_reason: FileReason.MimeTypeExcluded },
    ]);

    // Exactly one row and one object per image, with the bytes Drive lists.
    const rows = await system.db.selectFrom("images").selectAll().execute();
    expect(rows.map((r) => r.source_id).sort()).toEqual([...folder.images.keys()].sort());
    const listed = await system.s3.send(new ListObjectsV2Command({ Bucket: system.bucket }));
    expect(listed.KeyCount).toBe(imageCount);
    const prefix = `${system.namespace}/team-photos/`;
    for (const row of rows) {
      expect(row.object_key.startsWith(prefix)).toBe(true);
      expect(row.object_key.split("/")).not.toContain("..");
      expect(row.object_key).toContain(row.source_id);
      const object = await system.s3.send(
        new GetObjectCommand({ Bucket: system.bucket, Key: row.object_key }),
      );
      const bytes = Buffer.from(
        await (
          object.Body as Readable & { transformToByteArray(): Promise<Uint8Array> }
        ).transformToByteArray(),
      );
      const md5 = createHash("md5").update(bytes).digest("hex");
      expect(md5).toBe(row.md5);
      expect(object.Metadata?.md5).toBe(md5);
      expect(object.ContentType).toBe(row.mime_type);
      expect(bytes.length).toBe(Number(row.size));
      const expected = folder.images.get(row.source_id);
      expect({ width: row.width, height: row.height }).toEqual(expected);
      expect(imageSize(bytes)).toMatchObject(expected ?? {});
    }

    // The REST API tells the same story as kubectl.
    const viaApi = await system.apiGet<{ data: { progress: Record<string, number>; state: string } }>(
      `/api/imports/${system.namespace}/team-photos`,
    );
    expect(viaApi.data.progress).toMatchObject(done.status?.progress ?? {});
    const imagesViaApi = await system.apiGet<{ data: unknown[]; pagination: { total: number } }>(
      `/api/images?importId=${done.metadata?.uid}&limit=100&offset=0`,
    );
    expect(imagesViaApi.pagination.total).toBe(imageCount);
    const job = await system.apiGet<{
      job: { status: string; totalImages: number; processedImages: number; failedImages: number };
    }>(`/api/jobs/${done.metadata?.uid}`);
    expect(job.job).toMatchObject({ status: "completed", progress: 100, failedImages: 1 });
    expect(job.job.processedImages).toBe(job.job.totalImages);
  });

  it("is visible in Prometheus: every dashboard and alert expression evaluates, and the main panels have data", async () => {
    const failures: string[] = [];
    for (const query of [...dashboardQueries(), ...ruleQueries()]) {
      const result = await prometheus.query(query.expr);
      if (result.status !== "success") failures.push(`${query.where}: ${result.error}`);
    }
    expect(failures).toEqual([]);
    // Files imported, reconciles done, imports by phase, API requests: what the main panels plot.
    const expectations: [string, (value: number) => boolean][] = [
      ['sum(imagesync_worker_files_total{result="succeeded"})', (v) => v === folder.images.size],
      ["sum(imagesync_worker_bytes_total)", (v) => v > 0],
      ['sum(controller_runtime_reconcile_total{result="success"})', (v) => v > 0],
      ['sum(imagesync_operator_imports{phase="Succeeded"})', (v) => v === 1],
      ["sum(imagesync_api_requests_total)", (v) => v > 0],
    ];
    for (const [expr, accept] of expectations) {
      await eventually(
        `Prometheus to have ${expr}`,
        async () => Number((await prometheus.query(expr)).data?.result[0]?.value[1] ?? Number.NaN),
        accept,
        { timeoutMs: 20_000 },
      );
    }
  });
});
