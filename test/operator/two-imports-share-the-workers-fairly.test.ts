import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { isFinished, OperatorHarness } from "./support/harness.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("two imports at once", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;

  beforeAll(async () => {
    harness = await OperatorHarness.start();
    workers = harness.workers({ concurrency: 4, workMs: 25 });
    await workers.start();
  });
  afterAll(async () => {
    await workers.stop();
    await harness.close();
  });

  it("share the workers through their windows: a small import finishes while a large one is still running", async () => {
    const large = generateTree(harness.fake.tree, { files: 800, size: 20_000, folders: 8, seed: "large" });
    const small = generateTree(harness.fake.tree, { files: 60, size: 20_000, seed: "small" });
    const big = await harness.createImport("large", { folderId: large.rootId, parallelism: 20 });
    await harness.waitForImport("large", (o) => (o.status?.progress?.succeeded ?? 0) >= 40);
    await harness.createImport("small", { folderId: small.rootId, parallelism: 20 });

    let largestWindow = 0;
    let smallDone = false;
    while (!smallDone) {
      largestWindow = Math.max(largestWindow, await harness.tasksInStream(big.metadata.uid));
      smallDone = isFinished(await harness.getImport("small"));
    }
    const largeNow = await harness.getImport("large");
    expect(isFinished(largeNow)).toBe(false);
    expect(largeNow.status?.progress?.queued).toBeGreaterThan(100);
    expect(largestWindow).toBeLessThanOrEqual(20);
    expect((await harness.getImport("small")).status?.progress).toMatchObject({ total: 60, succeeded: 60 });

    const done = await harness.waitForImport("large", isFinished, 120_000);
    expect(done.status?.progress).toMatchObject({ total: 800, queued: 0, succeeded: 800 });
  });
});
