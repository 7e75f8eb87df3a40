import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { CredentialsStore } from "../../lib/queue/index.ts";
import { conditionOf, isFinished, OperatorHarness } from "./support/harness.ts";
import type { SimulatedWorkers } from "./support/simulated-workers.ts";

describe("applying an ImageImport of a nested folder", () => {
  let harness: OperatorHarness;
  let workers: SimulatedWorkers;
  let rootId: string;
  let toImport: number;
  let toSkip: number;

  beforeAll(async () => {
    harness = await OperatorHarness.start();
    const { tree } = harness.fake;
    // 2,400 files in 40 folders three levels deep, behind a resource key, with Docs, other files and
    // shortcuts to earlier files; plus a shortcut to a folder shared elsewhere and one whose target is gone.
    const generated = generateTree(tree, {
      files: 2_400,
      size: 20_000,
      folders: 40,
      depth: 3,
      resourceKey: true,
      nonImages: 0.04,
      docs: 0.02,
      shortcuts: 0.03,
      seed: "apply",
    });
    rootId = generated.rootId;
    const elsewhere = generateTree(tree, {
      files: 100,
      size: 20_000,
      name: "shared elsewhere",
      seed: "elsewhere",
    });
    tree.addShortcut({ parentId: rootId, name: "Trips", targetId: elsewhere.rootId });
    const gone = tree.addFile({ parentId: rootId, name: "gone.jpg", size: 10 });
    tree.addShortcut({ parentId: rootId, name: "old link", targetId: gone });
    tree.remove(gone);
    toImport = generated.counts.images + elsewhere.counts.images;
    toSkip = generated.counts.nonImages + generated.counts.docs + 1;
    workers = harness.workers({ concurrency: 16 });
  }, 120_000);

  afterAll(async () => {
    await workers.stop();
    await harness.close();
  });

  it("records every file, publishes one task per image and reports the listing exactly", async () => {
    const created = await harness.createImport("photos", { folderId: rootId, parallelism: 5_000 });
    const uid = created.metadata.uid;
    const listed = await harness.waitForImport(
      "photos",
      (o) => o.status?.listing?.complete === true && o.status.progress?.queued === toImport,
    );

    expect(listed.status?.phase).toBe("Running");
    expect(listed.status?.listing).toEqual({ foldersListed: 42, complete: true });
    expect(listed.status?.progress).toMatchObject({
      total: toImport + toSkip,
      queued: toImport,
      succeeded: 0,
      failed: 0,
      skipped: toSkip,
    });
    expect(conditionOf(listed, "Listing")).toMatchObject({ status: "False", reason: "ListingComplete" });
    expect(conditionOf(listed, "SourceReady")).toMatchObject({ status: "True" });
    expect(conditionOf(listed, "Succeeded")).toMatchObject({ status: "Unknown", reason: "Running" });
    expect(listed.status?.destination).toEqual({
      bucket: "imagesync",
      prefix: `${harness.namespace}/photos/`,
    });
    expect(listed.metadata.finalizers).toContain("imagesync.io/purge-queued-tasks");

    expect(await harness.tasksInStream(uid)).toBe(toImport);
    expect(await harness.fileStates(uid)).toEqual({ queued: toImport, skipped: toSkip });
    const dangling = await harness.db
      .selectFrom("import_files")
      .select(["error_reason", "folder_path"])
      .where("import_uid", "=", uid)
      .where("name", "=", "old link")
      .executeTakeFirstOrThrow();
    expect(dangling.error_reason).toBe("DanglingShortcut");
    const viaFolderShortcut = await harness.db
      .selectFrom("import_files")
      .select((eb) => eb.fn.countAll<string>().as("files"))
      .where("import_uid", "=", uid)
      .where("folder_path", "=", "Trips")
      .executeTakeFirstOrThrow();
    expect(Number(viaFolderShortcut.files)).toBe(100);
    const credentials = await CredentialsStore.open(harness.nats, harness.topology);
    expect(await credentials.get(uid)).toEqual({ driveApiKey: "test-drive-key" });
  });

  it("completes with exact counters once workers have ended every file", async () => {
    await workers.start();
    const done = await harness.waitForImport("photos", isFinished);
    const uid = done.metadata.uid;

    expect(done.status?.phase).toBe("Succeeded");
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "True", reason: "Completed" });
    expect(done.status?.progress).toEqual({
      total: toImport + toSkip,
      queued: 0,
      succeeded: toImport,
      failed: 0,
      skipped: toSkip,
      unchanged: 0,
      bytesTotal: toImport * 20_000,
      bytesStored: toImport * 20_000,
    });
    expect(done.status?.completionTime).toBeDefined();
    const claims = workers.claimsByFile();
    expect(claims.size).toBe(toImport);
    expect([...claims.values()].every((count) => count === 1)).toBe(true);
    expect(await harness.tasksInStream(uid)).toBe(0);
    // Drive's image metadata rides along in the task, for the worker to record.
    const photo = workers.deliveries.find((delivery) => delivery.task.mimeType === "image/jpeg")?.task;
    expect(typeof photo?.image?.width).toBe("number");
    expect(typeof photo?.image?.cameraMake).toBe("string");
    expect(photo?.objectKey).toBe(
      `${harness.namespace}/photos/${photo?.folderPath}/${photo?.fileId}-${photo?.name}`,
    );

    const row = await harness.db
      .selectFrom("imports")
      .selectAll()
      .where("uid", "=", uid)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe("succeeded");
    expect(row.finished_at).not.toBeNull();
    const credentials = await CredentialsStore.open(harness.nats, harness.topology);
    expect(await credentials.get(uid)).toBeUndefined();

    const reasons = await harness.eventReasons("photos", [
      "ListingInProgress",
      "ListingComplete",
      "Completed",
    ]);
    expect(reasons.length).toBeLessThan(10);
  });
});
