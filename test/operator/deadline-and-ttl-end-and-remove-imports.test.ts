import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusCodeOf } from "../../lib/controller-runtime/index.ts";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { conditionOf, eventually, isFinished, OperatorHarness } from "./support/harness.ts";

describe("an ImageImport's time limits", () => {
  let harness: OperatorHarness;

  beforeAll(async () => {
    harness = await OperatorHarness.start();
  });
  afterAll(() => harness.close());

  it("fails with DeadlineExceeded once activeDeadlineSeconds have passed, dropping its queued tasks", async () => {
    // No workers: nothing can finish before the deadline.
    const { rootId } = generateTree(harness.fake.tree, { files: 40, size: 20_000, seed: "deadline" });
    const created = await harness.createImport("slow", { folderId: rootId, activeDeadlineSeconds: 2 });
    const uid = created.metadata.uid;

    const done = await harness.waitForImport("slow", isFinished);
    expect(done.status?.phase).toBe("Failed");
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "False", reason: "DeadlineExceeded" });
    expect(done.status?.progress).toMatchObject({ total: 40, queued: 0, succeeded: 0, skipped: 40 });
    expect(await harness.tasksInStream(uid)).toBe(0);
    const row = await harness.db
      .selectFrom("imports")
      .select("state")
      .where("uid", "=", uid)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe("failed");
    await harness.eventReasons("slow", ["DeadlineExceeded"]);
  });

  it("deletes a finished import ttlSecondsAfterFinished later and keeps its data", async () => {
    const workers = harness.workers({ concurrency: 4 });
    await workers.start();
    try {
      const { rootId } = generateTree(harness.fake.tree, { files: 10, size: 20_000, seed: "ttl" });
      const created = await harness.createImport("brief", { folderId: rootId, ttlSecondsAfterFinished: 1 });
      const uid = created.metadata.uid;
      await eventually(
        () =>
          harness.getImport("brief").then(
            () => undefined,
            (error: unknown) => (statusCodeOf(error) === 404 ? true : undefined),
          ),
        "the finished import to be deleted",
      );
      const row = await harness.db
        .selectFrom("imports")
        .selectAll()
        .where("uid", "=", uid)
        .executeTakeFirstOrThrow();
      expect(row.state).toBe("succeeded");
      expect(row.deleted_at).not.toBeNull();
      expect(await harness.fileStates(uid)).toEqual({ succeeded: 10 });
    } finally {
      await workers.stop();
    }
  });
});
