import { afterEach, describe, expect, it } from "vitest";
import { generateTree, startFakeDrive, type FakeDrive } from "../../tools/fake-drive/index.ts";
import { eventually } from "../support/eventually.ts";
import { expectExactlyOnce } from "../support/exactly-once.ts";
import { TestSystem } from "../support/system.ts";

const apiKey = "faults-key";

describe("an import under faults", { timeout: 300_000 }, () => {
  let drive: FakeDrive | undefined;
  let system: TestSystem | undefined;

  afterEach(async () => {
    await system?.stop();
    await drive?.close();
  });

  async function setUp(files: number, options: { workers: number; ackWaitMs?: number; latencyMs?: number }) {
    drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs: options.latencyMs ?? 0 });
    const tree = generateTree(drive.tree, { files, size: 6_000, folders: 20, seed: "faults" });
    system = await new TestSystem({
      driveRootUrl: drive.rootUrl,
      driveApiKey: apiKey,
      workers: options.workers,
      ackWaitMs: options.ackWaitMs,
    }).start();
    return { folderUrl: drive.folderUrl(tree.rootId), system, drive };
  }

  it("loses and duplicates nothing when a worker is SIGKILLed every few seconds of a 2,000-file import", async () => {
    const { folderUrl, system } = await setUp(2_000, { workers: 3, ackWaitMs: 3_000 });
    await system.createImport("killed-workers", { source: { googleDrive: { folderUrl } } });
    let kills = 0;
    for (;;) {
      const status = (await system.readImport("killed-workers")).status;
      if (status?.completionTime !== undefined || kills >= 8) break;
      if ((status?.progress?.succeeded ?? 0) > 0) {
        const victim = system.workers.shift();
        await victim?.kill();
        kills++;
        await system.startWorker();
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(kills).toBeGreaterThan(0);
    await expectExactlyOnce(system, "killed-workers", 2_000);
  });

  it("counts exactly when the operator is killed mid-listing and a new one takes over", async () => {
    // 500 ms per Drive call makes listing 300 folders (batched 50 at a time) take seconds: long enough to
    // see it under way and kill the operator in the middle.
    drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs: 500 });
    const tree = generateTree(drive.tree, { files: 900, size: 4_000, folders: 300, seed: "operator" });
    system = await new TestSystem({
      driveRootUrl: drive.rootUrl,
      driveApiKey: apiKey,
      workers: 2,
      env: {
        LEADER_ELECTION_LEASE_DURATION_SECONDS: "4",
        LEADER_ELECTION_RENEW_DEADLINE_SECONDS: "3",
        LEADER_ELECTION_RETRY_PERIOD_SECONDS: "0.5",
      },
    }).start();
    await system.createImport("operator-restart", {
      source: { googleDrive: { folderUrl: drive.folderUrl(tree.rootId) } },
    });
    const listing = await eventually(
      "listing to be under way",
      () => system!.readImport("operator-restart"),
      (i) => (i.status?.listing?.foldersListed ?? 0) > 0,
    );
    expect(listing.status?.listing?.complete).not.toBe(true);
    await system.operators.shift()?.kill();
    await system.startOperator();
    await expectExactlyOnce(system, "operator-restart", 900);
    // No file was published twice to a worker that then stored it twice: one object version each.
    const attempts = await system.db
      .selectFrom("import_files")
      .select((eb) => eb.fn.max("attempts").as("max"))
      .executeTakeFirst();
    expect(Number(attempts?.max)).toBeLessThanOrEqual(2);
  });

  it("succeeds when a fifth of all Drive calls fail with 429, 403 rate limits and 5xx", async () => {
    const { folderUrl, system, drive } = await setUp(500, { workers: 2 });
    drive.faults.add({ probability: 0.07, error: "rateLimitExceeded429", retryAfterSeconds: 1 });
    drive.faults.add({ probability: 0.07, error: "userRateLimitExceeded" });
    drive.faults.add({ probability: 0.07, error: "backendError" });
    await system.createImport("flaky-drive", {
      source: { googleDrive: { folderUrl } },
      backoffLimitPerFile: 10,
    });
    await expectExactlyOnce(system, "flaky-drive", 500);
    const stats = drive.stats.snapshot();
    const failed = Object.entries(stats.byStatus)
      .filter(([status]) => Number(status) >= 400)
      .reduce((sum, [, n]) => sum + n, 0);
    expect(failed / stats.requests).toBeGreaterThan(0.1);
  });
});
