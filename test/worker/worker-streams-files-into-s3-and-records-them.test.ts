import { randomUUID } from "node:crypto";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileReason } from "../../lib/imageimport/reasons.ts";
import type { FileTask } from "../../lib/queue/index.ts";
import {
  createWorkerTestBed,
  fileRows,
  imageRows,
  objectKeys,
  pipelineSettings,
  publishImport,
  publishTask,
  runWorker,
  settledFiles,
  storedObject,
  type InProcessWorker,
  type WorkerTestBed,
} from "./worker-test-bed.ts";
import { testApiKey } from "./publish-import.ts";

describe.each(["WHEN_SUPPORTED", "WHEN_REQUIRED"] as const)("a worker (S3 checksums %s)", (checksums) => {
  let bed: WorkerTestBed;
  let worker: InProcessWorker;
  let folderId: string;

  beforeAll(async () => {
    bed = await createWorkerTestBed({ checksums });
    const tree = bed.drive.tree;
    folderId = tree.addFolder({ name: "Holidays" });
    const summer = tree.addFolder({ name: "2024 Summer", parentId: folderId });
    tree.addFile({
      name: "beach.jpg",
      parentId: summer,
      image: {
        format: "jpeg",
        width: 1600,
        height: 1200,
        photo: {
          cameraMake: "Fujifilm",
          cameraModel: "X-T5",
          time: "2024:07:01 10:00:00",
          location: { latitude: 43.5528, longitude: 7.0174 },
        },
      },
      size: 300_000,
    });
    tree.addFile({
      name: "diagram.png",
      parentId: folderId,
      image: { format: "png", width: 800, height: 600 },
    });
    // Same name twice in one folder, and a name that tries to climb out of the prefix.
    tree.addFile({ name: "dup.png", parentId: folderId, image: { format: "png", width: 10, height: 10 } });
    tree.addFile({ name: "dup.png", parentId: folderId, image: { format: "png", width: 20, height: 20 } });
    tree.addFile({
      name: "../../escape.png",
      parentId: folderId,
      image: { format: "png", width: 5, height: 5 },
    });
    // Larger than one part: a multipart upload whose ETag is no md5.
    tree.addFile({
      name: "panorama.jpg",
      parentId: folderId,
      image: { format: "jpeg", width: 12000, height: 3000 },
      size: 12 * 1024 * 1024,
    });
    worker = await runWorker(bed, pipelineSettings(bed));
  });

  afterAll(async () => {
    await worker.worker.stop(5_000);
    await bed.close();
  });

  it("stores every file's exact bytes with its md5 and content type, and records it in one step", async () => {
    const { importUid, tasks, files } = await publishImport(bed, folderId);
    const rows = await settledFiles(bed, importUid);
    expect(rows.map((row) => [row.name, row.state, row.attempts, row.error_reason])).toEqual([
      ["../../escape.png", "succeeded", 1, null],
      ["beach.jpg", "succeeded", 1, null],
      ["diagram.png", "succeeded", 1, null],
      ["dup.png", "succeeded", 1, null],
      ["dup.png", "succeeded", 1, null],
      ["panorama.jpg", "succeeded", 1, null],
    ]);
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);

    for (const task of tasks) {
      const object = await storedObject(bed, task.objectKey);
      // A single PUT whose body the worker gathered carries its SHA-256, which the server verified and kept.
      const checksummed = checksums === "WHEN_SUPPORTED" && task.name !== "panorama.jpg";
      expect(object).toEqual({
        bytesMd5: task.md5,
        bytesSha256: object.bytesSha256,
        size: task.size,
        metadataMd5: task.md5,
        contentType: task.mimeType,
        checksumSha256: checksummed ? object.bytesSha256 : undefined,
      });
    }
    const keys = await objectKeys(bed, `tests/${importUid}/`);
    expect(keys).toHaveLength(6);
    expect(keys.every((key) => !key.split("/").includes(".."))).toBe(true);

    const images = await imageRows(bed, importUid);
    expect(images).toHaveLength(6);
    const beach = images.find((image) => image.name === "beach.jpg");
    const beachFile = files.get("beach.jpg");
    expect(beach).toMatchObject({
      source: "google-drive",
      source_id: beachFile?.id,
      folder_path: "2024 Summer",
      mime_type: "image/jpeg",
      size: "300000",
      md5: beachFile?.md5Checksum,
      sha256: beachFile?.sha256Checksum,
      width: 1600,
      height: 1200,
      taken_at: new Date("2024-07-01T10:00:00Z"),
      camera_make: "Fujifilm",
      camera_model: "X-T5",
      bucket: bed.bucket,
    });
    expect(beach?.latitude).toBeCloseTo(43.5528, 4);
    expect(beach?.longitude).toBeCloseTo(7.0174, 4);
    expect(images.find((image) => image.name === "panorama.jpg")).toMatchObject({
      width: 12000,
      height: 3000,
    });

    expect(await worker.metric("imagesync_worker_files_total", { result: "succeeded" })).toBe(6);
    const totalBytes = tasks.reduce((sum, task) => sum + (task.size ?? 0), 0);
    expect(await worker.metric("imagesync_worker_bytes_total")).toBe(totalBytes);
    expect(await worker.metric("imagesync_worker_stage_duration_seconds_count", { stage: "record" })).toBe(6);
    expect(await worker.metric("imagesync_worker_files_in_flight")).toBe(0);
  });

  it("reads dimensions, capture time, camera and location from the bytes when Drive lists none", async () => {
    const { importUid } = await publishImport(bed, folderId, {
      include: (file) => file.name === "beach.jpg" || file.name === "panorama.jpg",
      withoutImageMetadata: true,
    });
    expect((await settledFiles(bed, importUid)).map((row) => row.state)).toEqual(["succeeded", "succeeded"]);
    const images = await imageRows(bed, importUid);
    // beach.jpg goes up in one PutObject (under WHEN_SUPPORTED its header is read from the gathered body),
    // panorama.jpg in parts (its header from the bytes the meter kept).
    const beach = images.find((image) => image.name === "beach.jpg");
    expect(beach).toMatchObject({
      width: 1600,
      height: 1200,
      taken_at: new Date("2024-07-01T10:00:00Z"),
      camera_make: "Fujifilm",
      camera_model: "X-T5",
    });
    expect(beach?.latitude).toBeCloseTo(43.5528, 4);
    expect(beach?.longitude).toBeCloseTo(7.0174, 4);
    expect(images.find((image) => image.name === "panorama.jpg")).toMatchObject({
      width: 12000,
      height: 3000,
    });
  });

  it("skips a file the catalogue already holds at the same key, without downloading it again", async () => {
    const first = await publishImport(bed, folderId, { include: (file) => file.name === "diagram.png" });
    await settledFiles(bed, first.importUid);
    const [task] = first.tasks;
    if (task === undefined) throw new Error("no task published");
    const downloads = (): number | undefined => bed.drive.stats.snapshot().byFile[task.fileId]?.media;
    const before = downloads();

    // A second import of the same file into the same object (say, one re-created with the same prefix).
    const second = await importAgain(task);
    const [row] = await settledFiles(bed, second.importUid);
    expect(row).toMatchObject({ state: "skipped", error_reason: FileReason.AlreadyStored, attempts: 1 });
    expect(downloads()).toBe(before);
    const catalogued = await bed.db
      .selectFrom("images")
      .select(["import_uid"])
      .where("object_key", "=", task.objectKey)
      .execute();
    expect(catalogued).toEqual([{ import_uid: first.importUid }]);
    expect(await worker.metric("imagesync_worker_files_total", { result: "skipped" })).toBe(1);

    // Gone from the bucket behind the catalogue's back: copied again, not skipped.
    await bed.s3.send(new DeleteObjectCommand({ Bucket: bed.bucket, Key: task.objectKey }));
    const third = await importAgain(task);
    expect((await settledFiles(bed, third.importUid))[0]).toMatchObject({ state: "succeeded" });
    expect(downloads()).toBe((before ?? 0) + 1);
    expect((await storedObject(bed, task.objectKey)).bytesMd5).toBe(task.md5);
  });

  /** Records and publishes `task`'s file again under a new import, as a second import of the same folder would. */
  async function importAgain(task: FileTask): Promise<FileTask> {
    const again = { ...task, importUid: randomUUID() };
    await bed.db
      .insertInto("imports")
      .values({
        uid: again.importUid,
        namespace: "tests",
        name: again.importUid,
        source: "google-drive",
        folder_id: folderId,
        bucket: bed.bucket,
        prefix: "tests/",
        state: "running",
      })
      .execute();
    await bed.db
      .insertInto("import_files")
      .values({
        import_uid: again.importUid,
        file_id: task.fileId,
        name: task.name,
        folder_path: task.folderPath,
        mime_type: task.mimeType,
        size: task.size,
        md5: task.md5,
        object_key: task.objectKey,
        state: "queued",
        publish_generation: 1,
      })
      .execute();
    await bed.credentials.put(again.importUid, { driveApiKey: testApiKey });
    await publishTask(bed, again);
    return again;
  }

  it("acknowledges a duplicate of a finished task without touching the row", async () => {
    const { importUid, tasks } = await publishImport(bed, folderId, {
      include: (file) => file.name === "escape.png" || file.name === "../../escape.png",
    });
    const [before] = await settledFiles(bed, importUid);
    const [task] = tasks;
    if (task === undefined) throw new Error("no task published");
    const stale = await worker.metric("imagesync_worker_files_total", { result: "stale" });
    await publishTask(bed, { ...task, generation: 2 });
    await expect
      .poll(() => worker.metric("imagesync_worker_files_total", { result: "stale" }))
      .toBe(stale + 1);
    expect(await fileRows(bed, importUid)).toEqual([before]);
  });
});
