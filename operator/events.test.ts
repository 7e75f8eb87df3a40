import { describe, expect, it } from "vitest";
import type { Condition, ImageImportStatus } from "../lib/imageimport/index.ts";
import { milestoneEvents } from "./events.ts";

const c = (type: string, status: Condition["status"], reason: string, message = `${reason}!`): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: "2025-01-01T00:00:00Z",
});

describe("milestone Events", () => {
  it("follow condition changes, not the import merely running or counters moving", () => {
    const before: ImageImportStatus = {
      conditions: [c("Succeeded", "Unknown", "Running"), c("Listing", "True", "ListingInProgress")],
    };
    expect(milestoneEvents(undefined, { conditions: [c("Succeeded", "Unknown", "Running")] })).toEqual([]);
    expect(milestoneEvents(before, { ...before, progress: { succeeded: 5 } })).toEqual([]);
    expect(
      milestoneEvents(before, {
        conditions: [c("Succeeded", "True", "Completed"), c("Listing", "False", "ListingComplete")],
      }),
    ).toEqual([
      { type: "Normal", reason: "Completed", message: "Completed!" },
      { type: "Normal", reason: "ListingComplete", message: "ListingComplete!" },
    ]);
  });

  it("warn about problems, and report a source only when it recovers", () => {
    expect(milestoneEvents(undefined, { conditions: [c("SourceReady", "True", "SourceReady")] })).toEqual([]);
    const broken = { conditions: [c("SourceReady", "False", "SecretNotFound")] };
    expect(milestoneEvents(undefined, broken)).toEqual([
      { type: "Warning", reason: "SecretNotFound", message: "SecretNotFound!" },
    ]);
    expect(milestoneEvents(broken, { conditions: [c("SourceReady", "True", "SourceReady")] })).toHaveLength(
      1,
    );
  });

  it("mark a finished re-sync", () => {
    expect(
      milestoneEvents(
        { sync: { syncs: 1 } },
        { sync: { syncs: 2 }, progress: { succeeded: 2, unchanged: 9 } },
      ),
    ).toEqual([
      {
        type: "Normal",
        reason: "SyncCompleted",
        message: "re-sync 2 finished: 2 files imported, 9 unchanged",
      },
    ]);
  });
});
