import { describe, expect, it } from "vitest";
import { legacyJobProgress, legacyJobStatus } from "./legacy-job.ts";

describe("legacyJobStatus", () => {
  it("maps every import state onto the four job states", () => {
    expect(legacyJobStatus("pending")).toBe("waiting");
    expect(legacyJobStatus("listing")).toBe("waiting");
    expect(legacyJobStatus("running")).toBe("active");
    expect(legacyJobStatus("suspended")).toBe("active");
    expect(legacyJobStatus("succeeded")).toBe("completed");
    expect(legacyJobStatus("failed")).toBe("failed");
    expect(legacyJobStatus("cancelled")).toBe("failed");
  });
});

describe("legacyJobProgress", () => {
  it("is the share of files done, rounded down", () => {
    expect(legacyJobProgress("active", { total: 3, processed: 2, failed: 0 })).toBe(66);
    expect(legacyJobProgress("waiting", { total: 0, processed: 0, failed: 0 })).toBe(0);
    expect(legacyJobProgress("failed", { total: 4, processed: 4, failed: 4 })).toBe(100);
  });

  it("is 100 for a completed job, even an empty folder's", () => {
    expect(legacyJobProgress("completed", { total: 0, processed: 0, failed: 0 })).toBe(100);
  });
});
