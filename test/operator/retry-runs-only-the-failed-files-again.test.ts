import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { conditionOf, isFinished, OperatorHarness } from "./support/harness.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("retrying an ImageImport's failed files", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;
  let failing = true;

  beforeAll(async () => {
    harness = await OperatorHarness.start();
    workers = harness.workers({
      concurrency: 4,
      // Every tenth file fails for good on the first run.
      outcome: (task) =>
        failing && /0\.(jpg|png)$/.test(task.name)
          ? {
              state: "failed",
              reason: "DownloadQuotaExceeded",
              message: "Drive's download quota for this file is exceeded",
            }
          : { state: "succeeded" },
    });
    await workers.start();
  });
  afterAll(async () => {
    await workers.stop();
    await harness.close();
  });

  it("ends with the failures reported, then runs only those files again when retryGeneration rises", async () => {
    const { rootId } = generateTree(harness.fake.tree, {
      files: 50,
      size: 20_000,
      folders: 2,
      seed: "retry",
    });
    const created = await harness.createImport("flaky", { folderId: rootId });
    const uid = created.metadata.uid;

    const first = await harness.waitForImport("flaky", isFinished);
    expect(conditionOf(first, "Succeeded")).toMatchObject({
      status: "True",
      reason: "CompletedWithFailures",
    });
    expect(first.status?.progress).toMatchObject({ total: 50, queued: 0, succeeded: 45, failed: 5 });
    expect(first.status?.failures).toHaveLength(5);
    expect(first.status?.failures?.[0]).toMatchObject({ reason: "DownloadQuotaExceeded", attempts: 1 });
    expect(first.status?.retryGeneration).toBe(0);

    failing = false;
    await harness.patchSpec("flaky", { retryGeneration: 1 });
    const retried = await harness.waitForImport(
      "flaky",
      (o) =>
        o.status?.retryGeneration === 1 &&
        isFinished(o) &&
        conditionOf(o, "Succeeded")?.reason === "Completed",
    );
    expect(retried.status?.progress).toMatchObject({ total: 50, queued: 0, succeeded: 50, failed: 0 });
    expect(retried.status?.failures).toBeUndefined();
    expect(await harness.fileStates(uid)).toEqual({ succeeded: 50 });
    const claims = workers.claimsByFile();
    expect([...claims.values()].filter((count) => count === 2)).toHaveLength(5);
    expect([...claims.values()].filter((count) => count === 1)).toHaveLength(45);
    await harness.eventReasons("flaky", ["CompletedWithFailures", "RetryingFailedFiles", "Completed"]);
  });
});
