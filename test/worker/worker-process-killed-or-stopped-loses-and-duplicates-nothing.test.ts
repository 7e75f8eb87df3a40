import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.ts";
import { startProcess, waitForHttpOk, type ManagedProcess } from "../support/processes.ts";
import { freePort } from "../support/free-port.ts";
import {
  createWorkerTestBed,
  fileRows,
  imageRows,
  objectExists,
  objectKeys,
  publishImport,
  runWorker,
  settledFiles,
  storedObject,
  workerProcessEnv,
  type WorkerTestBed,
} from "./worker-test-bed.ts";

const bigFileBytes = 24 * 1024 * 1024;

/** The child worker's value of a metric without labels, read from its /metrics. */
async function childMetric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(" ")[1]);
}

describe("a worker process", () => {
  let bed: WorkerTestBed;
  let child: ManagedProcess | undefined;

  beforeAll(async () => {
    // A short ack wait, so a dead worker's task comes back within seconds.
    bed = await createWorkerTestBed({ consumer: { ackWaitMs: 2_000 } });
  });

  afterAll(async () => {
    await child?.kill();
    await bed.close();
  });

  /** Starts `node worker/main.ts` on the bed; resolves once it is ready. */
  async function startChildWorker(port: number, env: Record<string, string> = {}): Promise<ManagedProcess> {
    const started = startProcess(
      "worker",
      "worker/main.ts",
      workerProcessEnv(bed, { METRICS_PORT: String(port), ...env }),
    );
    await waitForHttpOk(started, `http://127.0.0.1:${port}/readyz`);
    return started;
  }

  /** A 24 MiB photo whose first download trickles, so a transfer is surely under way when we strike. */
  function slowBigFile(name: string, bytesPerSecond: number): string {
    const folderId = bed.drive.tree.addFolder({ name });
    const fileId = bed.drive.tree.addFile({
      name: `${name}.jpg`,
      parentId: folderId,
      image: { format: "jpeg", width: 8000, height: 6000 },
      size: bigFileBytes,
    });
    bed.drive.faults.add({ routes: ["media"], fileId, bandwidthBytesPerSecond: bytesPerSecond, times: 1 });
    return folderId;
  }

  it("killed mid-upload, has its task redelivered and the file stored exactly once", async () => {
    const folderId = slowBigFile("killed", 3 * 1024 * 1024);
    const port = await freePort();
    child = await startChildWorker(port);
    const { importUid, tasks } = await publishImport(bed, folderId);
    const [task] = tasks;
    if (task === undefined) throw new Error("no task published");

    // Past the first 5 MiB part: a multipart upload is open in S3 when the process dies.
    await eventually(
      "the transfer to pass its first part",
      () => childMetric(port, "imagesync_worker_bytes_total"),
      (bytes) => bytes > 7 * 1024 * 1024,
    );
    await child.kill();
    expect((await fileRows(bed, importUid))[0]).toMatchObject({ state: "in_progress", attempts: 1 });
    expect(await objectExists(bed, task.objectKey)).toBe(false);

    const survivor = await runWorker(bed);
    const [row] = await settledFiles(bed, importUid);
    await survivor.worker.stop(5_000);
    expect(row).toMatchObject({ state: "succeeded", attempts: 2, error_reason: null });
    expect(await objectKeys(bed, `tests/${importUid}/`)).toEqual([task.objectKey]);
    expect(await storedObject(bed, task.objectKey)).toMatchObject({ bytesMd5: task.md5, size: bigFileBytes });
    expect((await imageRows(bed, importUid)).map((image) => image.md5)).toEqual([task.md5]);
  });

  it("told to stop, hands an unfinished file back within its grace period and exits cleanly", async () => {
    const folderId = slowBigFile("stopped", 1024 * 1024);
    const port = await freePort();
    child = await startChildWorker(port, { WORKER_SHUTDOWN_GRACE_SECONDS: "1" });
    const { importUid, tasks } = await publishImport(bed, folderId);
    await eventually(
      "the transfer to start",
      () => childMetric(port, "imagesync_worker_bytes_total"),
      (bytes) => bytes > 0,
    );

    expect(await child.stop(15_000)).toBe(0);
    // Handed back untried: queued again, the attempt given back, nothing stored.
    expect((await fileRows(bed, importUid))[0]).toMatchObject({ state: "queued", attempts: 0 });
    expect(await objectExists(bed, tasks[0]?.objectKey ?? "")).toBe(false);

    const successor = await runWorker(bed);
    const [row] = await settledFiles(bed, importUid);
    await successor.worker.stop(5_000);
    expect(row).toMatchObject({ state: "succeeded", attempts: 1 });
  });
});
