import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultRule } from "../../tools/fake-drive/index.ts";
import {
  createWorkerTestBed,
  publishImport,
  runWorker,
  settledFiles,
  storedObject,
  type InProcessWorker,
  type WorkerTestBed,
} from "./worker-test-bed.ts";

/** Each file meets one kind of fault on its download, a few times, then Drive behaves. */
const faults: Record<string, Omit<FaultRule, "fileId">> = {
  "unavailable.png": { routes: ["media"], error: "serviceUnavailable", times: 2 },
  "throttled-429.png": { routes: ["media"], error: "rateLimitExceeded429", retryAfterSeconds: 1, times: 1 },
  "throttled-403.png": { routes: ["media"], error: "userRateLimitExceeded", times: 2 },
  "cut.jpg": { routes: ["media"], cutAfterBytes: 50_000, times: 1 },
};

describe("a worker meeting transient Drive faults", () => {
  let bed: WorkerTestBed;
  let worker: InProcessWorker;
  let folderId: string;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    bed = await createWorkerTestBed();
    folderId = bed.drive.tree.addFolder({ name: "Flaky" });
    for (const name of Object.keys(faults)) {
      const image = name.endsWith(".jpg")
        ? ({ format: "jpeg", width: 640, height: 480 } as const)
        : ({ format: "png", width: 64, height: 64 } as const);
      const id = bed.drive.tree.addFile({ name, parentId: folderId, image, size: 200_000 });
      ids.set(name, id);
      bed.drive.faults.add({ ...faults[name], fileId: id });
    }
    worker = await runWorker(bed);
  });

  afterAll(async () => {
    await worker.worker.stop(5_000);
    await bed.close();
  });

  it("retries each one until the file is stored whole", async () => {
    const { importUid, tasks } = await publishImport(bed, folderId);
    const rows = await settledFiles(bed, importUid);
    expect(rows.map((row) => [row.name, row.state])).toEqual([
      ["cut.jpg", "succeeded"],
      ["throttled-403.png", "succeeded"],
      ["throttled-429.png", "succeeded"],
      ["unavailable.png", "succeeded"],
    ]);
    for (const task of tasks) {
      expect((await storedObject(bed, task.objectKey)).bytesMd5).toBe(task.md5);
    }

    // Errors before the first byte are retried within the call; a cut mid-stream fails the attempt and the
    // task comes back from the queue.
    const downloads = (name: string): number | undefined =>
      bed.drive.stats.snapshot().byFile[ids.get(name) ?? ""]?.media;
    expect(downloads("unavailable.png")).toBe(3);
    expect(downloads("throttled-429.png")).toBe(2);
    expect(downloads("throttled-403.png")).toBe(3);
    expect(downloads("cut.jpg")).toBe(2);
    const attempts = Object.fromEntries(rows.map((row) => [row.name, row.attempts]));
    expect(attempts).toEqual({
      "cut.jpg": 2,
      "throttled-403.png": 1,
      "throttled-429.png": 1,
      "unavailable.png": 1,
    });
    expect(bed.drive.stats.snapshot().streamsCut).toBe(1);

    expect(
      await worker.metric("imagesync_drive_retries_total", {
        operation: "files.download",
        reason: "rateLimit",
      }),
    ).toBe(3);
    expect(
      await worker.metric("imagesync_drive_retries_total", {
        operation: "files.download",
        reason: "transient",
      }),
    ).toBe(2);
    expect(await worker.metric("imagesync_worker_retries_total", { reason: "transient" })).toBe(1);
    expect(await worker.metric("imagesync_worker_files_total", { result: "retried" })).toBe(1);
    expect(await worker.metric("imagesync_worker_files_total", { result: "succeeded" })).toBe(4);
  });
});
