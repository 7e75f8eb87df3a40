import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusCodeOf } from "../../lib/controller-runtime/index.ts";
import { CredentialsStore } from "../../lib/queue/index.ts";
import { generateTree } from "../../tools/fake-drive/index.ts";
import { eventually, OperatorHarness } from "./support/harness.ts";

describe("deleting an ImageImport", () => {
  let harness: OperatorHarness;

  beforeAll(async () => {
    harness = await OperatorHarness.start();
  });
  afterAll(() => harness.close());

  it("purges its queued tasks and credentials through the finalizer, keeping its records", async () => {
    const { rootId } = generateTree(harness.fake.tree, {
      files: 300,
      size: 20_000,
      folders: 3,
      seed: "delete",
    });
    const created = await harness.createImport("doomed", { folderId: rootId, parallelism: 200 });
    const uid = created.metadata.uid;
    // No workers run: 200 tasks wait in the stream (the window), 100 rows wait as pending.
    await harness.waitForImport(
      "doomed",
      (o) => o.status?.listing?.complete === true && o.status.progress?.total === 300,
    );
    await eventually(
      async () => ((await harness.tasksInStream(uid)) === 200 ? true : undefined),
      "a full window",
    );

    await harness.deleteImport("doomed");
    await eventually(
      () =>
        harness.getImport("doomed").then(
          () => undefined,
          (error: unknown) => (statusCodeOf(error) === 404 ? true : undefined),
        ),
      "the object to go",
    );

    expect(await harness.tasksInStream(uid)).toBe(0);
    const credentials = await CredentialsStore.open(harness.nats, harness.topology);
    expect(await credentials.get(uid)).toBeUndefined();
    const row = await harness.db
      .selectFrom("imports")
      .selectAll()
      .where("uid", "=", uid)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect(row.state).toBe("cancelled");
    expect(await harness.fileStates(uid)).toEqual({ queued: 200, pending: 100 });
  });
});
