import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { conditionOf, isFinished, OffsetClock, OperatorHarness } from "./support/harness.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("periodic re-sync", () => {
  const clock = new OffsetClock();
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;

  beforeAll(async () => {
    harness = await OperatorHarness.start({ clock });
    workers = harness.workers({ concurrency: 4 });
    await workers.start();
  });
  afterAll(async () => {
    await workers.stop();
    await harness.close();
  });

  it("re-lists the folder, imports an added and a changed file and counts the rest as unchanged", async () => {
    const { tree } = harness.fake;
    const { rootId } = generateTree(tree, { files: 20, size: 20_000, folders: 2, seed: "sync" });
    const created = await harness.createImport("mirror", { folderId: rootId, sync: { intervalSeconds: 60 } });
    const uid = created.metadata.uid;

    const first = await harness.waitForImport("mirror", isFinished);
    expect(first.status?.progress).toMatchObject({ total: 20, succeeded: 20, unchanged: 0 });
    const lastSync = Date.parse(first.status?.sync?.lastSyncTime ?? "");
    expect(Date.parse(first.status?.sync?.nextSyncTime ?? "")).toBe(lastSync + 60_000);
    expect(first.status?.sync?.syncs).toBe(0);

    const changed = tree.children(tree.children(rootId)[0]!)[0]!;
    tree.replaceContent(changed);
    const added = tree.addFile({
      parentId: rootId,
      name: "new.jpg",
      image: { format: "jpeg", width: 64, height: 48 },
    });

    clock.advance(61_000);
    await harness.touch("mirror");
    const synced = await harness.waitForImport("mirror", (o) => o.status?.sync?.syncs === 1 && isFinished(o));
    expect(conditionOf(synced, "Succeeded")).toMatchObject({ status: "True", reason: "Completed" });
    expect(synced.status?.progress).toMatchObject({
      total: 21,
      queued: 0,
      succeeded: 2,
      unchanged: 19,
      failed: 0,
    });
    expect(Date.parse(synced.status?.sync?.lastSyncTime ?? "")).toBeGreaterThan(lastSync);

    const claims = workers.claimsByFile();
    expect(claims.get(changed)).toBe(2);
    expect(claims.get(added)).toBe(1);
    expect([...claims.values()].reduce((sum, count) => sum + count, 0)).toBe(22);
    const revision = await harness.db
      .selectFrom("import_files")
      .select("revision")
      .where("import_uid", "=", uid)
      .where("file_id", "=", changed)
      .executeTakeFirstOrThrow();
    expect(revision.revision).toBe(2);
    await harness.eventReasons("mirror", ["SyncStarted", "SyncCompleted"]);
  });
});
