import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { conditionOf, isFinished, OperatorHarness } from "./support/harness.ts";

describe("Drive faults while listing", () => {
  const retries: { operation: string; reason: string; delayMs: number }[] = [];
  let harness: OperatorHarness;

  beforeAll(async () => {
    harness = await OperatorHarness.start({
      controller: { listingRetryDelayMs: 300 },
      driveSettings: {
        retry: { initialDelayMs: 50, maxDelayMs: 400 },
        hooks: {
          onRetry: (operation, error, delayMs) => retries.push({ operation, reason: error.reason, delayMs }),
        },
      },
    });
  });
  afterAll(() => harness.close());

  it("backs off on 5xx and on rate limits (as long as Retry-After asks) and still records every file once", async () => {
    const { rootId } = generateTree(harness.fake.tree, {
      files: 300,
      size: 20_000,
      folders: 5,
      seed: "faults",
    });
    harness.fake.faults.add({ routes: ["get"], times: 2, error: "serviceUnavailable" });
    harness.fake.faults.add({
      routes: ["list"],
      times: 2,
      error: "userRateLimitExceeded",
      retryAfterSeconds: 1,
    });
    const created = await harness.createImport("bumpy", { folderId: rootId });

    const listed = await harness.waitForImport("bumpy", (o) => o.status?.listing?.complete === true);
    expect(listed.status?.progress?.total).toBe(300);
    expect(await harness.fileStates(created.metadata.uid)).toMatchObject({ queued: 300 });
    expect(conditionOf(listed, "SourceReady")).toMatchObject({ status: "True" });
    const stats = harness.fake.stats.snapshot();
    expect(stats.byStatus["503"]).toBe(2);
    expect(stats.byStatus["403"]).toBe(2);
    expect(retries.filter((retry) => retry.reason === "backendError")).toHaveLength(2);
    const rateLimited = retries.filter((retry) => retry.reason === "userRateLimitExceeded");
    expect(rateLimited).toHaveLength(2);
    expect(rateLimited.every((retry) => retry.delayMs >= 1_000)).toBe(true);
  });

  it("fails with FolderNotFound, naming the likely causes, when the link lacks the folder's resource key", async () => {
    const { rootId } = generateTree(harness.fake.tree, {
      files: 5,
      size: 20_000,
      resourceKey: true,
      seed: "keyed",
    });
    await harness.createImport("no-key", {
      folderId: rootId,
      folderUrl: `https://drive.google.com/drive/folders/${rootId}`,
    });
    const done = await harness.waitForImport("no-key", isFinished);
    expect(done.status?.phase).toBe("Failed");
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "False", reason: "FolderNotFound" });
    const source = conditionOf(done, "SourceReady");
    expect(source).toMatchObject({ status: "False", reason: "FolderNotFound" });
    expect(source?.message).toMatch(/Anyone with the link.*the id is wrong.*resourcekey/);
    await harness.eventReasons("no-key", ["FolderNotFound"]);
  });

  it("fails with FolderNotFound when the folder does not exist or is not shared", async () => {
    const missing = "1NotSharedFolder0000000000000";
    await harness.createImport("missing", { folderId: missing, folderUrl: missing });
    const done = await harness.waitForImport("missing", isFinished);
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "False", reason: "FolderNotFound" });
  });

  it("fails with ApiKeyInvalid when Drive rejects the key", async () => {
    await harness.core.createNamespacedSecret({
      namespace: harness.namespace,
      body: { metadata: { name: "wrong-key" }, stringData: { apiKey: "not-a-key" } },
    });
    const { rootId } = generateTree(harness.fake.tree, { files: 5, size: 20_000, seed: "badkey" });
    await harness.createImport("bad-key", { folderId: rootId, secret: "wrong-key" });
    const done = await harness.waitForImport("bad-key", isFinished);
    expect(conditionOf(done, "Succeeded")).toMatchObject({ status: "False", reason: "ApiKeyInvalid" });
    expect(conditionOf(done, "SourceReady")).toMatchObject({ status: "False", reason: "ApiKeyInvalid" });
    expect(JSON.stringify(done.status)).not.toContain("not-a-key");
  });

  it("waits with SourceReady=False while the Secret is missing, and lists once it exists", async () => {
    const { rootId } = generateTree(harness.fake.tree, { files: 5, size: 20_000, seed: "secret" });
    await harness.createImport("later", { folderId: rootId, secret: "arrives-later" });
    const waiting = await harness.waitForImport(
      "later",
      (o) => conditionOf(o, "SourceReady")?.reason === "SecretNotFound",
    );
    expect(waiting.status?.phase).toBe("Pending");
    expect(conditionOf(waiting, "SourceReady")?.message).toContain("arrives-later");

    await harness.core.createNamespacedSecret({
      namespace: harness.namespace,
      body: { metadata: { name: "arrives-later" }, stringData: { apiKey: "test-drive-key" } },
    });
    const listed = await harness.waitForImport("later", (o) => o.status?.listing?.complete === true);
    expect(conditionOf(listed, "SourceReady")).toMatchObject({ status: "True" });
    expect(listed.status?.progress?.total).toBe(5);
  });

  it("reports DriveQuotaExceeded when the daily quota is used up, and lists once it is back", async () => {
    const { rootId } = generateTree(harness.fake.tree, { files: 5, size: 20_000, seed: "quota" });
    const rule = harness.fake.faults.add({ routes: ["get", "list"], error: "dailyLimitExceeded" });
    await harness.createImport("quota", { folderId: rootId });
    const blocked = await harness.waitForImport(
      "quota",
      (o) => conditionOf(o, "SourceReady")?.reason === "DriveQuotaExceeded",
    );
    expect(conditionOf(blocked, "SourceReady")?.status).toBe("False");
    expect(isFinished(blocked)).toBe(false);

    harness.fake.faults.remove(rule);
    const listed = await harness.waitForImport("quota", (o) => o.status?.listing?.complete === true);
    expect(conditionOf(listed, "SourceReady")).toMatchObject({ status: "True" });
    expect(listed.status?.progress?.total).toBe(5);
  });
});
