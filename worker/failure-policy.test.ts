import { describe, expect, it } from "vitest";
import { DriveError, DriveErrorKind } from "../lib/drive/index.ts";
import { FileReason } from "../lib/imageimport/reasons.ts";
import { ContentMismatchError, MissingApiKeyError, StorageError } from "./errors.ts";
import { decideFailure } from "./failure-policy.ts";

const backoff = { initialDelayMs: 1_000, maxDelayMs: 60_000 };
const noJitter = (): number => 0;

function driveError(kind: DriveErrorKind, retryable: boolean, retryAfterMs?: number): DriveError {
  return new DriveError({
    kind,
    reason: kind,
    message: `drive said ${kind}`,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

describe("decideFailure", () => {
  it.each([
    [DriveErrorKind.NotFound, FileReason.NotFound],
    [DriveErrorKind.AbusiveFile, FileReason.AbusiveFile],
    [DriveErrorKind.NotDownloadable, FileReason.NotDownloadable],
    [DriveErrorKind.DownloadQuota, FileReason.DownloadQuotaExceeded],
  ])("fails the file at once on Drive's %s, with reason %s", (kind, reason) => {
    expect(decideFailure(driveError(kind, false), 1, 5, backoff, noJitter)).toEqual({
      action: "fail",
      reason,
      message: `drive said ${kind}`,
    });
  });

  it("retries transient failures with exponential backoff until the attempts run out", () => {
    const error = driveError(DriveErrorKind.Transient, true);
    const delays = [1, 2, 3, 4].map((attempt) => decideFailure(error, attempt, 5, backoff, noJitter));
    expect(delays.map((decision) => (decision.action === "retry" ? decision.delayMs : undefined))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(decideFailure(error, 5, 5, backoff, noJitter)).toEqual({
      action: "fail",
      reason: FileReason.RetriesExhausted,
      message: "after 5 attempts: drive said transient",
    });
  });

  it("waits at least as long as Drive's Retry-After asked", () => {
    const decision = decideFailure(
      driveError(DriveErrorKind.RateLimit, true, 30_000),
      1,
      5,
      backoff,
      noJitter,
    );
    expect(decision).toMatchObject({ action: "retry", delayMs: 30_000, category: "rateLimit" });
  });

  it("spreads retries with jitter, capped", () => {
    const error = driveError(DriveErrorKind.Transient, true);
    expect(decideFailure(error, 1, 99, backoff, () => 0.999)).toMatchObject({ delayMs: 1_500 });
    expect(decideFailure(error, 30, 99, backoff, () => 0.999)).toMatchObject({ delayMs: 60_000 });
  });

  it.each([
    [new ContentMismatchError("md5 differs"), "checksumMismatch", FileReason.ChecksumMismatch],
    [new StorageError("S3 said no"), "storage", FileReason.StorageFailed],
    [new MissingApiKeyError("no key"), "apiKeyMissing", FileReason.RetriesExhausted],
    [new Error("surprise"), "unexpected", FileReason.RetriesExhausted],
  ])("retries %s and fails it with its own reason when attempts run out", (error, category, reason) => {
    expect(decideFailure(error, 1, 2, backoff, noJitter)).toMatchObject({
      action: "retry",
      category,
      reason,
    });
    expect(decideFailure(error, 2, 2, backoff, noJitter)).toMatchObject({ action: "fail", reason });
  });
});
