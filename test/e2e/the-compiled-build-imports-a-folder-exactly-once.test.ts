import { afterAll, beforeAll, describe, it } from "vitest";
import { generateTree, startFakeDrive, type FakeDrive } from "../../tools/fake-drive/index.ts";
import { expectExactlyOnce } from "../support/exactly-once.ts";
import { TestSystem } from "../support/system.ts";

const apiKey = "compiled-key";

// The image runs dist/ (make build), not the sources every other test runs: this proves the build works.
describe("the compiled build", () => {
  let drive: FakeDrive;
  let system: TestSystem;

  beforeAll(async () => {
    drive = await startFakeDrive({ apiKeys: [apiKey] });
    system = await new TestSystem({
      driveRootUrl: drive.rootUrl,
      driveApiKey: apiKey,
      compiled: true,
    }).start();
  });

  afterAll(async () => {
    await system?.stop();
    await drive?.close();
  });

  it("runs operator, worker and API from dist/ and imports a folder exactly once", async () => {
    const { rootId } = generateTree(drive.tree, { files: 40, size: 10_000, folders: 2, seed: "compiled" });
    await system.createImport("compiled", {
      source: { googleDrive: { folderUrl: drive.folderUrl(rootId) } },
    });
    await expectExactlyOnce(system, "compiled", 40);
  });
});
