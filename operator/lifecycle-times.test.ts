import { describe, expect, it } from "vitest";
import type { ImageImportSpec } from "../lib/imageimport/index.ts";
import { deadlineExceeded, deadlineOf } from "./deadline.ts";
import { retryRequested } from "./retry.ts";
import { nextSyncAt } from "./sync.ts";
import { ttlExpiry } from "./ttl.ts";

const spec: ImageImportSpec = { source: { googleDrive: { folderUrl: "1AbCdEfGhIjK" } } };
const started = "2025-01-01T10:00:00Z";
const at = (iso: string): number => Date.parse(iso);

describe("activeDeadlineSeconds", () => {
  it("counts from status.startTime", () => {
    const withDeadline = { ...spec, activeDeadlineSeconds: 60 };
    expect(deadlineOf(withDeadline, { startTime: started })).toBe(at("2025-01-01T10:01:00Z"));
    expect(
      deadlineExceeded(withDeadline, { startTime: started }, at("2025-01-01T10:00:59Z")),
    ).toBeUndefined();
    expect(deadlineExceeded(withDeadline, { startTime: started }, at("2025-01-01T10:01:00Z"))).toMatchObject({
      reason: "DeadlineExceeded",
      message: "the import ran longer than spec.activeDeadlineSeconds (60s)",
    });
    expect(deadlineExceeded(spec, { startTime: started }, at("2030-01-01T00:00:00Z"))).toBeUndefined();
  });
});

describe("ttlSecondsAfterFinished", () => {
  it("counts from status.completionTime, and only once finished", () => {
    expect(ttlExpiry({ ...spec, ttlSecondsAfterFinished: 30 }, { completionTime: started })).toBe(
      at("2025-01-01T10:00:30Z"),
    );
    expect(ttlExpiry({ ...spec, ttlSecondsAfterFinished: 30 }, {})).toBeUndefined();
    expect(ttlExpiry(spec, { completionTime: started })).toBeUndefined();
  });
});

describe("spec.sync", () => {
  it("is due at status.sync.nextSyncTime, or an interval after completion when sync was added later", () => {
    const synced = { ...spec, sync: { intervalSeconds: 3600 } };
    expect(nextSyncAt(synced, { sync: { nextSyncTime: "2025-01-02T00:00:00Z" } })).toBe(
      at("2025-01-02T00:00:00Z"),
    );
    expect(nextSyncAt(synced, { completionTime: started })).toBe(at("2025-01-01T11:00:00Z"));
    expect(nextSyncAt(spec, { completionTime: started })).toBeUndefined();
  });
});

describe("spec.retryGeneration", () => {
  it("asks for a retry only when it is above the generation already started", () => {
    expect(retryRequested({ ...spec, retryGeneration: 1 }, { retryGeneration: 0 })).toBe(true);
    expect(retryRequested({ ...spec, retryGeneration: 1 }, { retryGeneration: 1 })).toBe(false);
    expect(retryRequested(spec, {})).toBe(false);
  });
});
