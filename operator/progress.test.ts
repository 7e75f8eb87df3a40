import { describe, expect, it } from "vitest";
import { emptyFileCounts, progressFromCounts, unfinishedFiles } from "./progress.ts";

describe("status.progress", () => {
  it("counts every unfinished file as queued, so the counters always add up to the total", () => {
    const counts = {
      ...emptyFileCounts,
      pending: 5,
      queued: 3,
      in_progress: 2,
      succeeded: 7,
      failed: 1,
      skipped: 4,
      unchanged: 6,
      bytesTotal: 900,
      bytesStored: 700,
    };
    const progress = progressFromCounts(counts);
    expect(progress).toEqual({
      total: 28,
      queued: 10,
      succeeded: 7,
      failed: 1,
      skipped: 4,
      unchanged: 6,
      bytesTotal: 900,
      bytesStored: 700,
    });
    expect(unfinishedFiles(counts)).toBe(10);
  });
});
