import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { ConditionType } from "../../lib/imageimport/index.ts";
import type { FakeDrive } from "../../tools/fake-drive/index.ts";
import { eventually } from "../support/eventually.ts";
import { importUntilSomeStored, slowSystemForEachFile } from "../support/mid-import.ts";

const apiKey = "cancel-key";
const files = 150;

function downloads(drive: FakeDrive): number {
  return Object.values(drive.stats.snapshot().byFile).reduce((sum, counts) => sum + (counts.media ?? 0), 0);
}

describe("cancelling an import through the REST API, with real processes", () => {
  const world = slowSystemForEachFile(apiKey);

  it("ends Cancelled with exact counters: what was stored stays, once; nothing else is fetched", async () => {
    const { drive, system } = world;
    const uid = await importUntilSomeStored(world, "stopped", files);

    await system.apiRequest("POST", `/api/imports/${system.namespace}/stopped/cancel`);
    const done = await eventually(
      "the import to end",
      () => system.readImport("stopped"),
      (i) =>
        i.status?.conditions?.some((c) => c.type === ConditionType.Succeeded && c.status !== "Unknown") ??
        false,
      { timeoutMs: 60_000 },
    );
    expect(done.status?.conditions?.find((c) => c.type === ConditionType.Succeeded)).toMatchObject({
      status: "False",
      reason: "Cancelled",
    });
    expect(await system.tasksInStream(uid)).toBe(0);
    const states = await system.fileStates(uid);
    const stored = states.succeeded ?? 0;
    expect(stored).toBeLessThan(files);
    expect(states).toEqual({ succeeded: stored, skipped: files - stored });
    expect(done.status?.progress).toMatchObject({
      total: files,
      queued: 0,
      succeeded: stored,
      skipped: files - stored,
      failed: 0,
    });

    // Every stored file has one row and one object, and the worker fetches nothing more.
    const rows = await system.db.selectFrom("images").select("source_id").execute();
    expect(new Set(rows.map((r) => r.source_id)).size).toBe(stored);
    expect(rows).toHaveLength(stored);
    const objects = await system.s3.send(new ListObjectsV2Command({ Bucket: system.bucket }));
    expect(objects.KeyCount).toBe(stored);
    const fetched = downloads(drive);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(downloads(drive)).toBe(fetched);

    const viaApi = await system.apiGet<{ data: { state: string } }>(
      `/api/imports/${system.namespace}/stopped`,
    );
    expect(viaApi.data.state).toBe("cancelled");
  });
});
