import { describe, expect, it } from "vitest";
import { completionOutcome } from "./completion.ts";
import { emptyFileCounts } from "./progress.ts";

describe("completion", () => {
  it("waits for the listing and for every file to end", () => {
    expect(completionOutcome(false, { ...emptyFileCounts, succeeded: 3 })).toBeUndefined();
    expect(completionOutcome(true, { ...emptyFileCounts, succeeded: 3, in_progress: 1 })).toBeUndefined();
    expect(completionOutcome(true, { ...emptyFileCounts, succeeded: 3, pending: 1 })).toBeUndefined();
  });

  it("succeeds, saying whether some files failed", () => {
    expect(completionOutcome(true, { ...emptyFileCounts, succeeded: 3, skipped: 1 })).toMatchObject({
      succeeded: true,
      reason: "Completed",
      message: "every file has ended (3 imported, 0 failed, 1 skipped, 0 unchanged)",
    });
    expect(completionOutcome(true, { ...emptyFileCounts, succeeded: 3, failed: 2 })).toMatchObject({
      succeeded: true,
      reason: "CompletedWithFailures",
    });
    expect(completionOutcome(true, emptyFileCounts)).toMatchObject({ reason: "Completed" });
  });
});
