import { describe, expect, it } from "vitest";
import { ConditionType, type ImageImport } from "../../lib/imageimport/index.ts";
import type { FakeDrive } from "../../tools/fake-drive/index.ts";
import { eventually } from "../support/eventually.ts";
import { expectExactlyOnce } from "../support/exactly-once.ts";
import { importUntilSomeStored, slowSystemForEachFile } from "../support/mid-import.ts";

const apiKey = "suspend-key";
const files = 150;

/** Drive's downloads so far, by file. */
function downloadsByFile(drive: FakeDrive): Map<string, number> {
  return new Map(
    Object.entries(drive.stats.snapshot().byFile)
      .filter(([, counts]) => counts.media !== undefined)
      .map(([id, counts]) => [id, counts.media ?? 0]),
  );
}

describe("suspending and resuming an import through the REST API, with real processes", () => {
  const world = slowSystemForEachFile(apiKey);

  it("stops the worker pulling, then continues where it stopped: every file downloaded and stored once", async () => {
    const { drive, system } = world;
    const uid = await importUntilSomeStored(world, "paused", files);
    const path = `/api/imports/${system.namespace}/paused`;

    await system.apiRequest("POST", `${path}/suspend`);
    const suspended = await eventually(
      "the Suspended condition",
      () => system.readImport("paused"),
      (i) => i.status?.phase === "Suspended",
    );
    expect(suspended.status?.conditions?.find((c) => c.type === ConditionType.Suspended)?.status).toBe(
      "True",
    );
    await eventually(
      "files in flight to finish",
      () => system.fileStates(uid),
      (states) => states.in_progress === undefined,
    );
    expect(await system.tasksInStream(uid)).toBe(0);
    const downloadsWhileSuspended = downloadsByFile(drive);
    const stored = (await system.fileStates(uid)).succeeded ?? 0;
    expect(stored).toBeLessThan(files);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(downloadsByFile(drive)).toEqual(downloadsWhileSuspended);
    // The status catches up with the files that finished in flight; the API reports the same.
    const viaApi = await eventually(
      "the API to report the stored files",
      () => system.apiGet<{ data: { state: string; progress: Record<string, number> } }>(path),
      (view) => view.data.progress.succeeded === stored,
    );
    expect(viaApi.data.state).toBe("suspended");
    expect(viaApi.data.progress).toMatchObject({ total: files, queued: files - stored });

    await system.apiRequest("POST", `${path}/resume`);
    await expectExactlyOnce(system, "paused", files);
    const downloads = downloadsByFile(drive);
    expect(downloads.size).toBe(files);
    expect([...downloads.values()].every((count) => count === 1)).toBe(true);
    const done: ImageImport = await system.readImport("paused");
    expect(done.status?.conditions?.find((c) => c.type === ConditionType.Suspended)).toMatchObject({
      status: "False",
      reason: "Resumed",
    });
  });
});
