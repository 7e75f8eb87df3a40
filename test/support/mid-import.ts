import { afterAll, beforeAll } from "vitest";
import { generateTree, startFakeDrive, type FakeDrive } from "../../tools/fake-drive/index.ts";
import { eventually } from "./eventually.ts";
import { TestSystem } from "./system.ts";

export interface SlowSystem {
  drive: FakeDrive;
  system: TestSystem;
}

/**
 * For the calling test file: a system whose one worker takes four files at a time from a Drive that answers
 * after 300 ms, so an import of a few hundred files runs for seconds, long enough for a test to act on it
 * mid-way. Started before the file's tests and stopped after them; its fields are set once started.
 */
export function slowSystemForEachFile(apiKey: string): SlowSystem {
  const world = {} as SlowSystem;
  beforeAll(async () => {
    world.drive = await startFakeDrive({ apiKeys: [apiKey], latencyMs: 300 });
    world.system = await new TestSystem({
      driveRootUrl: world.drive.rootUrl,
      driveApiKey: apiKey,
      workerConcurrency: 4,
    }).start();
  });
  afterAll(async () => {
    await world.system?.stop();
    await world.drive?.close();
  });
  return world;
}

/** Imports a generated folder of `files` images and returns its uid once at least ten are stored. */
export async function importUntilSomeStored(
  { drive, system }: SlowSystem,
  name: string,
  files: number,
): Promise<string> {
  const { rootId } = generateTree(drive.tree, { files, size: 20_000, folders: 3, seed: name });
  const created = await system.createImport(name, {
    source: { googleDrive: { folderUrl: drive.folderUrl(rootId) } },
    parallelism: 20,
  });
  const uid = created.metadata?.uid ?? "";
  await eventually(
    "some files stored",
    () => system.fileStates(uid),
    (states) => (states.succeeded ?? 0) >= 10,
    { timeoutMs: 60_000 },
  );
  return uid;
}
