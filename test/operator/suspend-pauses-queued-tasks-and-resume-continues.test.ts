import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { conditionOf, eventually, isFinished, OperatorHarness, pause } from "./support/harness.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("suspending an ImageImport", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;

  beforeAll(async () => {
    harness = await OperatorHarness.start();
    workers = harness.workers({ concurrency: 4, workMs: 20 });
  });
  afterAll(async () => {
    await workers.stop();
    await harness.close();
  });

  it("pauses its queued tasks while files in flight finish, and resuming continues exactly where it stopped", async () => {
    const { rootId } = generateTree(harness.fake.tree, {
      files: 120,
      size: 20_000,
      folders: 4,
      seed: "suspend",
    });
    const created = await harness.createImport("paused", { folderId: rootId, parallelism: 10 });
    const uid = created.metadata.uid;
    await workers.start();
    await harness.waitForImport("paused", (o) => (o.status?.progress?.succeeded ?? 0) >= 20);
    workers.hold();
    await eventually(() => (workers.inFlight === 4 ? true : undefined), "four files in flight");

    await harness.patchSpec("paused", { suspend: true });
    const suspended = await harness.waitForImport("paused", (o) => o.status?.phase === "Suspended");
    expect(conditionOf(suspended, "Suspended")).toMatchObject({ status: "True", reason: "Suspended" });
    expect(await harness.tasksInStream(uid)).toBe(0);
    const held = await harness.fileStates(uid);
    expect(held.queued).toBeUndefined();
    expect(held.in_progress).toBe(4);

    workers.release();
    await eventually(
      async () => ((await harness.fileStates(uid)).in_progress === undefined ? true : undefined),
      "in-flight files to finish",
    );
    const claimsWhileSuspended = workers.deliveries.length;
    await pause(1_000);
    expect(workers.deliveries.length).toBe(claimsWhileSuspended);
    expect(await harness.tasksInStream(uid)).toBe(0);
    const paused = await harness.fileStates(uid);
    const stored = paused.succeeded ?? 0;
    expect(stored + (paused.pending ?? 0)).toBe(120);
    const status = await harness.waitForImport("paused", (o) => o.status?.progress?.succeeded === stored);
    expect(status.status?.progress).toMatchObject({ total: 120, queued: 120 - stored, succeeded: stored });

    await harness.patchSpec("paused", { suspend: false });
    const done = await harness.waitForImport("paused", isFinished);
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "True", reason: "Completed" });
    expect(conditionOf(done, "Suspended")).toMatchObject({ status: "False", reason: "Resumed" });
    expect(done.status?.progress).toMatchObject({
      total: 120,
      queued: 0,
      succeeded: 120,
      failed: 0,
      skipped: 0,
    });
    const claims = workers.claimsByFile();
    expect(claims.size).toBe(120);
    expect([...claims.values()].every((count) => count === 1)).toBe(true);
    await harness.eventReasons("paused", ["Suspended", "QueuedTasksPurged", "Resumed", "Completed"]);
  });
});
