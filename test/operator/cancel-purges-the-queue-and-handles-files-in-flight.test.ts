import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { conditionOf, eventually, isFinished, OperatorHarness } from "./support/harness.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("cancelling an ImageImport", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;

  beforeAll(async () => {
    harness = await OperatorHarness.start({ controller: { inFlightGraceMs: 2_000 } });
    workers = harness.workers({ concurrency: 3 });
    workers.hold();
    await workers.start();
  });
  afterAll(async () => {
    await workers.stop();
    await harness.close();
  });

  async function startHeldImport(name: string): Promise<string> {
    const { rootId } = generateTree(harness.fake.tree, { files: 100, size: 20_000, folders: 2, seed: name });
    const created = await harness.createImport(name, { folderId: rootId, parallelism: 10 });
    const uid = created.metadata.uid;
    await eventually(
      async () => ((await harness.fileStates(uid)).in_progress === 3 ? true : undefined),
      "three files in flight",
    );
    // The stream holds the window: three tasks delivered (unacked) and seven waiting.
    await eventually(
      async () => ((await harness.tasksInStream(uid)) === 10 ? true : undefined),
      "a full window",
    );
    return uid;
  }

  it("purges the queue at once, lets files in flight finish and ends Cancelled with exact counters", async () => {
    const uid = await startHeldImport("stopped");
    await harness.patchSpec("stopped", { cancel: true });

    const cancelling = await harness.waitForImport(
      "stopped",
      (o) => conditionOf(o, "Cancelled")?.status === "True",
    );
    expect(cancelling.status?.phase).toBe("Cancelled");
    await eventually(
      async () => ((await harness.fileStates(uid)).skipped === 97 ? true : undefined),
      "unstarted files skipped",
    );
    expect(await harness.tasksInStream(uid)).toBe(0);
    expect(await harness.fileStates(uid)).toEqual({ in_progress: 3, skipped: 97 });
    expect(isFinished(await harness.getImport("stopped"))).toBe(false);

    workers.release();
    const done = await harness.waitForImport("stopped", isFinished);
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "False", reason: "Cancelled" });
    expect(done.status?.progress).toMatchObject({
      total: 100,
      queued: 0,
      succeeded: 3,
      skipped: 97,
      failed: 0,
    });
    const skipped = await harness.db
      .selectFrom("import_files")
      .select("error_reason")
      .distinct()
      .where("import_uid", "=", uid)
      .where("state", "=", "skipped")
      .execute();
    expect(skipped).toEqual([{ error_reason: "Cancelled" }]);
    const row = await harness.db
      .selectFrom("imports")
      .select("state")
      .where("uid", "=", uid)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe("cancelled");
  });

  it("abandons files still in flight after the grace period, cleanly", async () => {
    workers.hold();
    const uid = await startHeldImport("abandoned");
    await harness.patchSpec("abandoned", { cancel: true });

    const done = await harness.waitForImport("abandoned", isFinished);
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "False", reason: "Cancelled" });
    expect(done.status?.progress).toMatchObject({ total: 100, queued: 0, succeeded: 0, skipped: 100 });

    // The abandoned files' workers finish late: their rows are no longer theirs, so nothing changes.
    workers.release();
    await eventually(() => (workers.inFlight === 0 ? true : undefined), "held workers to end");
    expect(await harness.fileStates(uid)).toEqual({ skipped: 100 });
  });
});
