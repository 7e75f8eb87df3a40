import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { eventually, isFinished, OperatorHarness } from "./support/harness.ts";
import { OperatorProcess } from "./support/operator-process.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("an operator killed in the middle of a listing", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;
  const processes: OperatorProcess[] = [];

  beforeAll(async () => {
    // Short pages and slow answers: the listing takes several seconds, long enough to be cut.
    harness = await OperatorHarness.start({
      start: false,
      drive: { latencyMs: 60, faults: [{ routes: ["list"], pageFiles: 100 }] },
    });
    workers = harness.workers({ concurrency: 8 });
    await workers.start();
  });
  afterAll(async () => {
    await Promise.all(processes.map((process) => process.stop("SIGKILL")));
    await workers.stop();
    await harness.close();
  });

  it("lists again after a restart, and every file is delivered to a worker exactly once with exact counts", async () => {
    const { rootId, counts } = generateTree(harness.fake.tree, {
      files: 3_000,
      size: 20_000,
      folders: 60,
      depth: 2,
      seed: "restart",
    });
    const first = OperatorProcess.start(harness, "operator-a");
    processes.push(first);
    const created = await harness.createImport("big", { folderId: rootId, secret: null, parallelism: 500 });
    const uid = created.metadata.uid;

    // Kill it hard once part of the folder is recorded and published, but before the listing ends.
    await eventually(async () => {
      const rows = Object.values(await harness.fileStates(uid)).reduce((sum, n) => sum + n, 0);
      return rows >= 600 ? true : undefined;
    }, "part of the listing to be recorded");
    await first.stop("SIGKILL");
    const row = await harness.db
      .selectFrom("imports")
      .selectAll()
      .where("uid", "=", uid)
      .executeTakeFirstOrThrow();
    expect(row.listing_completed_at).toBeNull();

    const second = OperatorProcess.start(harness, "operator-b");
    processes.push(second);
    const done = await harness.waitForImport("big", isFinished, 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- operator-b ---\n${second.output}`);
    });

    expect(done.status?.progress).toMatchObject({
      total: 3_000,
      queued: 0,
      succeeded: counts.images,
      failed: 0,
    });
    expect(done.status?.listing).toMatchObject({ complete: true, foldersListed: 61 });
    const deliveries = new Map<string, number>();
    for (const delivery of workers.deliveries) {
      deliveries.set(delivery.task.fileId, (deliveries.get(delivery.task.fileId) ?? 0) + 1);
    }
    expect(deliveries.size).toBe(counts.images);
    expect([...deliveries.values()].every((count) => count === 1)).toBe(true);
    expect(await harness.fileStates(uid)).toEqual({ succeeded: counts.images });
  });
});
