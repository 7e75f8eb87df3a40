import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWorkerTestBed,
  imageRows,
  objectKeys,
  publishImport,
  publishTask,
  runWorker,
  settledFiles,
  storedObject,
  type InProcessWorker,
  type WorkerTestBed,
} from "./worker-test-bed.ts";

describe("two workers given the same file twice", () => {
  let bed: WorkerTestBed;
  let workers: InProcessWorker[];
  let folderId: string;

  beforeAll(async () => {
    bed = await createWorkerTestBed();
    folderId = bed.drive.tree.addFolder({ name: "Twice" });
    for (const name of ["a.jpg", "b.jpg", "c.jpg"]) {
      const fileId = bed.drive.tree.addFile({
        name,
        parentId: folderId,
        image: { format: "jpeg", width: 320, height: 240 },
        size: 100_000,
      });
      // A slow first byte, so both deliveries are in flight at once.
      bed.drive.faults.add({ routes: ["media"], fileId, latencyMs: 1_000 });
    }
    workers = [await runWorker(bed), await runWorker(bed)];
  });

  afterAll(async () => {
    for (const worker of workers) await worker.worker.stop(5_000);
    await bed.close();
  });

  it("ends with one row and one object per file, the later finisher acknowledging a stale task", async () => {
    const { importUid, tasks } = await publishImport(bed, folderId);
    // A duplicate the dedup window lets through: the same file republished with the next generation.
    for (const task of tasks) await publishTask(bed, { ...task, generation: 2 });

    const rows = await settledFiles(bed, importUid);
    expect(rows.map((row) => [row.name, row.state, row.attempts])).toEqual([
      ["a.jpg", "succeeded", 2],
      ["b.jpg", "succeeded", 2],
      ["c.jpg", "succeeded", 2],
    ]);
    expect((await imageRows(bed, importUid)).map((image) => image.name)).toEqual(["a.jpg", "b.jpg", "c.jpg"]);
    expect((await objectKeys(bed, `tests/${importUid}/`)).sort()).toEqual(
      tasks.map((task) => task.objectKey).sort(),
    );
    for (const task of tasks) expect((await storedObject(bed, task.objectKey)).bytesMd5).toBe(task.md5);

    const total = async (result: string): Promise<number> => {
      const values = await Promise.all(
        workers.map((worker) => worker.metric("imagesync_worker_files_total", { result })),
      );
      return values.reduce((sum, value) => sum + value, 0);
    };
    await expect.poll(() => total("stale")).toBe(3);
    expect(await total("succeeded")).toBe(3);
  });
});
