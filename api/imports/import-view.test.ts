import { describe, expect, it } from "vitest";
import type { StoredImageImport } from "../../lib/imageimport/index.ts";
import { importView, isFinished } from "./import-view.ts";

const fresh = {
  apiVersion: "imagesync.io/v1alpha1",
  kind: "ImageImport",
  metadata: {
    name: "holiday",
    namespace: "team-a",
    uid: "3f1c",
    creationTimestamp: "2025-01-02T03:04:05Z" as unknown as Date,
  },
  spec: { source: { googleDrive: { folderUrl: "https://drive.google.com/drive/folders/abcdefghij12" } } },
} satisfies StoredImageImport;

describe("importView", () => {
  it("shows a resource the operator has not touched yet as pending, with zero counters and defaults", () => {
    const view = importView(fresh);
    expect(view).toMatchObject({
      id: "3f1c",
      namespace: "team-a",
      name: "holiday",
      createdAt: "2025-01-02T03:04:05Z",
      recursive: true,
      suspend: false,
      cancel: false,
      retryGeneration: 0,
      state: "pending",
      finished: false,
      deleting: false,
      destination: { bucket: null, prefix: null },
      progress: { total: 0, succeeded: 0, failed: 0, bytesStored: 0 },
      conditions: [],
      failures: [],
      startTime: null,
      completionTime: null,
    });
  });

  it("reads state, counters, failures and the defaulted destination from the status", () => {
    const view = importView({
      ...fresh,
      spec: { ...fresh.spec, cancel: true },
      status: {
        phase: "Cancelled",
        progress: { total: 10, succeeded: 4, failed: 1 },
        destination: { bucket: "imagesync", prefix: "team-a/holiday/" },
        failures: [{ fileId: "f1", reason: "NotFound" }],
        completionTime: "2025-01-02T04:00:00Z",
      },
    });
    expect(view.state).toBe("cancelled");
    expect(view.finished).toBe(true);
    expect(view.cancel).toBe(true);
    expect(view.progress).toMatchObject({ total: 10, succeeded: 4, failed: 1, queued: 0 });
    expect(view.destination).toEqual({ bucket: "imagesync", prefix: "team-a/holiday/" });
    expect(view.failures).toEqual([
      { fileId: "f1", path: null, reason: "NotFound", message: null, attempts: null },
    ]);
    expect(view.completionTime).toBe("2025-01-02T04:00:00Z");
  });
});

describe("isFinished", () => {
  it("holds for the three end states only", () => {
    expect(["succeeded", "failed", "cancelled"].every((s) => isFinished(s as "failed"))).toBe(true);
    expect(["pending", "listing", "running", "suspended"].some((s) => isFinished(s as "running"))).toBe(
      false,
    );
  });
});
