import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { eventually, isFinished, OperatorHarness } from "./support/harness.ts";
import { OperatorProcess } from "./support/operator-process.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("two operator replicas", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;
  const processes: OperatorProcess[] = [];

  beforeAll(async () => {
    harness = await OperatorHarness.start({ start: false, drive: { latencyMs: 20 } });
    workers = harness.workers({ concurrency: 4, workMs: 5 });
    await workers.start();
  });
  afterAll(async () => {
    await Promise.all(processes.map((process) => process.stop("SIGKILL")));
    await workers.stop();
    await harness.close();
  });

  it("let only one lead; when it stops, the other takes the lease and finishes the import exactly", async () => {
    const a = OperatorProcess.start(harness, "operator-a");
    const b = OperatorProcess.start(harness, "operator-b");
    processes.push(a, b);
    const coordination = harness.kubeConfig.makeApiClient(CoordinationV1Api);
    const holder = async (): Promise<string | undefined> => {
      const lease = await coordination
        .readNamespacedLease({ name: "imagesync-operator", namespace: harness.namespace })
        .catch(() => undefined);
      const identity = lease?.spec?.holderIdentity ?? "";
      return identity === "" ? undefined : identity;
    };
    const firstHolder = await eventually(holder, "a leader");
    const [leader, follower] = firstHolder.startsWith("operator-a") ? [a, b] : [b, a];
    expect(await leader.isLeader()).toBe(true);
    expect(await follower.isLeader()).toBe(false);

    const { rootId, counts } = generateTree(harness.fake.tree, {
      files: 1_500,
      size: 20_000,
      folders: 30,
      seed: "ha",
    });
    const created = await harness.createImport("shared", {
      folderId: rootId,
      secret: null,
      parallelism: 100,
    });
    await harness.waitForImport("shared", (o) => (o.status?.progress?.succeeded ?? 0) >= 100);

    expect(await leader.stop("SIGTERM")).toBe(0);
    const nextHolder = await eventually(
      async () => {
        const identity = await holder();
        return identity?.startsWith(follower.name) === true ? identity : undefined;
      },
      "the other replica to take the lease",
      30_000,
    );
    expect(nextHolder).not.toBe(firstHolder);
    expect(await follower.isLeader()).toBe(true);

    const done = await harness.waitForImport("shared", isFinished, 120_000);
    expect(done.status?.progress).toMatchObject({
      total: 1_500,
      queued: 0,
      succeeded: counts.images,
      failed: 0,
    });
    const claims = workers.claimsByFile();
    expect(claims.size).toBe(counts.images);
    expect([...claims.values()].every((count) => count === 1)).toBe(true);
    expect(await harness.fileStates(created.metadata.uid)).toEqual({ succeeded: counts.images });
  });
});
