import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileReason } from "../../lib/imageimport/reasons.ts";
import {
  createWorkerTestBed,
  imageRows,
  objectExists,
  publishImport,
  runWorker,
  settledFiles,
  type InProcessWorker,
  type WorkerTestBed,
} from "./worker-test-bed.ts";

describe("a worker meeting permanent failures", () => {
  let bed: WorkerTestBed;
  let worker: InProcessWorker;
  let folderId: string;

  beforeAll(async () => {
    bed = await createWorkerTestBed();
    const { tree, faults } = bed.drive;
    folderId = tree.addFolder({ name: "Broken" });
    const png = { format: "png", width: 32, height: 32 } as const;
    const gone = tree.addFile({ name: "gone.png", parentId: folderId, image: png });
    faults.add({ routes: ["media"], fileId: gone, error: "notFound" });
    const malware = tree.addFile({ name: "malware.png", parentId: folderId, image: png });
    faults.add({ routes: ["media"], fileId: malware, error: "cannotDownloadAbusiveFile" });
    tree.addDoc({ name: "notes", parentId: folderId });
    // Two parts: the multipart upload must be aborted, not completed.
    const corrupt = tree.addFile({
      name: "corrupt.png",
      parentId: folderId,
      image: png,
      size: 6 * 1024 * 1024,
    });
    faults.add({ routes: ["media"], fileId: corrupt, wrongMd5: true });
    worker = await runWorker(bed);
  });

  afterAll(async () => {
    await worker.worker.stop(5_000);
    await bed.close();
  });

  it("fails each file with its reason, retrying only what a retry could cure, and stores nothing", async () => {
    const { importUid, tasks } = await publishImport(bed, folderId, { maxAttempts: 3 });
    const rows = await settledFiles(bed, importUid);
    expect(rows.map((row) => [row.name, row.state, row.error_reason, row.attempts])).toEqual([
      ["corrupt.png", "failed", FileReason.ChecksumMismatch, 3],
      ["gone.png", "failed", FileReason.NotFound, 1],
      ["malware.png", "failed", FileReason.AbusiveFile, 1],
      ["notes", "failed", FileReason.NotDownloadable, 1],
    ]);
    const corrupt = rows.find((row) => row.name === "corrupt.png");
    expect(corrupt?.error_message).toMatch(
      /^after 3 attempts: the bytes' md5 is [0-9a-f]{32} where Drive listed [0-9a-f]{32}$/,
    );
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
    for (const task of tasks) expect(await objectExists(bed, task.objectKey)).toBe(false);
    expect(await imageRows(bed, importUid)).toEqual([]);

    expect(await worker.metric("imagesync_worker_files_total", { result: "failed" })).toBe(4);
    expect(await worker.metric("imagesync_worker_retries_total", { reason: "checksumMismatch" })).toBe(2);
  });
});
