import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree, startFakeDrive, type FakeDrive } from "../../tools/fake-drive/index.ts";
import { stopDaemon } from "../../tools/localstack/daemon.ts";
import { stackLayout, type StackLayout } from "../../tools/localstack/layout.ts";
import { startNats } from "../../tools/localstack/nats.ts";
import { startPostgres } from "../../tools/localstack/postgres.ts";
import { startS3 } from "../../tools/localstack/s3.ts";
import { expectExactlyOnce } from "../support/exactly-once.ts";
import { eventually } from "../support/eventually.ts";
import { uniqueName } from "../support/stack.ts";
import { TestSystem } from "../support/system.ts";

const apiKey = "restarts-key";

/** This test restarts servers, so it runs its own NATS, PostgreSQL and S3 (the API server is shared). */
describe("an import while its servers restart", { timeout: 300_000 }, () => {
  let layout: StackLayout;
  let drive: FakeDrive;
  let system: TestSystem;

  beforeAll(async () => {
    layout = stackLayout(
      resolve(`.local/${uniqueName("test-restarts")}`),
      resolve(process.env.IMAGESYNC_BIN_DIR ?? ".local/bin"),
      Number(process.env.IMAGESYNC_TEST_PORT_BASE ?? "17300") + 50,
    );
    const [natsUrl, databaseUrl, s3Endpoint] = await Promise.all([
      startNats(layout),
      startPostgres(layout),
      startS3(layout),
    ]);
    drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs: 20 });
    system = await new TestSystem({
      driveRootUrl: drive.rootUrl,
      driveApiKey: apiKey,
      workers: 2,
      ackWaitMs: 3_000,
      servers: { NATS_URL: natsUrl, DATABASE_URL: databaseUrl, S3_ENDPOINT: s3Endpoint },
    }).start();
  });

  afterAll(async () => {
    await system?.stop();
    await drive?.close();
    for (const name of ["s3", "postgres", "nats"]) await stopDaemon(layout, name);
    rmSync(layout.dir, { recursive: true, force: true });
  });

  it("loses and duplicates nothing when NATS, PostgreSQL and the S3 server each restart mid-import", async () => {
    const tree = generateTree(drive.tree, { files: 600, size: 6_000, folders: 10, seed: "restarts" });
    await system.createImport("restarts", {
      source: { googleDrive: { folderUrl: drive.folderUrl(tree.rootId) } },
    });

    const restarts: [string, (l: StackLayout) => Promise<string>][] = [
      ["nats", startNats],
      ["postgres", startPostgres],
      ["s3", startS3],
    ];
    let seen = 0;
    for (const [name, start] of restarts) {
      const before = await eventually(
        `progress before restarting ${name}`,
        async () => (await system.readImport("restarts")).status?.progress?.succeeded ?? 0,
        (succeeded) => succeeded > seen,
        { timeoutMs: 120_000 },
      );
      seen = before;
      expect(await stopDaemon(layout, name)).toBe(true);
      await new Promise((r) => setTimeout(r, 2_000));
      await start(layout);
    }
    await expectExactlyOnce(system, "restarts", 600);
  });
});
