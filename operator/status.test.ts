import { describe, expect, it } from "vitest";
import type { ImageImportStatus } from "../lib/imageimport/index.ts";
import { derivePhase, isFinished, StatusDraft } from "./status.ts";

const now = new Date("2025-01-01T10:00:00.500Z");
const condition = (type: string, status: "True" | "False" | "Unknown", reason: string) => ({
  type,
  status,
  reason,
  message: "",
  lastTransitionTime: "2025-01-01T09:00:00Z",
});

describe("the phase", () => {
  it("follows the conditions", () => {
    expect(derivePhase({})).toBe("Pending");
    expect(derivePhase({ startTime: "t" })).toBe("Running");
    expect(
      derivePhase({ startTime: "t", conditions: [condition("Listing", "True", "ListingInProgress")] }),
    ).toBe("Listing");
    expect(
      derivePhase({ startTime: "t", conditions: [condition("SourceReady", "False", "SecretNotFound")] }),
    ).toBe("Pending");
    expect(derivePhase({ conditions: [condition("Suspended", "True", "Suspended")] })).toBe("Suspended");
    expect(derivePhase({ conditions: [condition("Cancelled", "True", "Cancelled")] })).toBe("Cancelled");
    expect(derivePhase({ conditions: [condition("Succeeded", "True", "Completed")] })).toBe("Succeeded");
    expect(derivePhase({ conditions: [condition("Succeeded", "False", "DeadlineExceeded")] })).toBe("Failed");
    expect(derivePhase({ conditions: [condition("Succeeded", "False", "Cancelled")] })).toBe("Cancelled");
  });

  it("counts an import as finished once Succeeded is True or False", () => {
    expect(isFinished({ conditions: [condition("Succeeded", "Unknown", "Running")] })).toBe(false);
    expect(isFinished({ conditions: [condition("Succeeded", "False", "FolderNotFound")] })).toBe(true);
    expect(isFinished(undefined)).toBe(false);
  });
});

describe("a status draft", () => {
  const current: ImageImportStatus = {
    observedGeneration: 1,
    phase: "Running",
    startTime: "2025-01-01T09:00:00Z",
    completionTime: "2025-01-01T09:30:00Z",
    conditions: [condition("Succeeded", "Unknown", "Running")],
    progress: { total: 10, queued: 10 },
  };

  it("tells counter-only changes (throttled) from milestones (written at once)", () => {
    const unchanged = new StatusDraft(current, 1, now);
    expect(unchanged.change()).toBe("none");

    const moved = new StatusDraft(current, 1, now);
    moved.set("progress", { total: 10, queued: 9, succeeded: 1 });
    expect(moved.change()).toBe("progress");

    const listed = new StatusDraft(current, 1, now);
    listed.set("listing", { foldersListed: 3, complete: true });
    expect(listed.change()).toBe("milestone");

    const ended = new StatusDraft(current, 1, now);
    ended.condition("Succeeded", "True", "Completed", "done");
    expect(ended.change()).toBe("milestone");
    expect(ended.build().phase).toBe("Succeeded");
    expect(ended.conditionOf("Succeeded")?.lastTransitionTime).toBe("2025-01-01T10:00:00Z");
  });

  it("sends removed fields as null, as a merge patch needs", () => {
    const draft = new StatusDraft(current, 2, now);
    draft.clear("completionTime");
    expect(draft.patch()).toMatchObject({ completionTime: null, observedGeneration: 2 });
  });
});
