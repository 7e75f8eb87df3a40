import { backoffDelay } from "../lib/controller-runtime/backoff.ts";
import { DriveError, DriveErrorKind } from "../lib/drive/index.ts";
import { FileReason } from "../lib/imageimport/reasons.ts";
import { ContentMismatchError, MissingApiKeyError, StorageError } from "./errors.ts";

/** What to do with a file whose attempt failed. */
export type FailureDecision =
  | {
      action: "retry";
      delayMs: number;
      /** A small fixed vocabulary, used as the retries metric's label. */
      category: string;
      /** The reason the file will carry if its attempts run out; kept on the queued row meanwhile. */
      reason: FileReason;
      message: string;
    }
  | { action: "fail"; reason: FileReason; message: string };

export interface RetryBackoff {
  initialDelayMs: number;
  maxDelayMs: number;
}

interface Classification {
  retryable: boolean;
  category: string;
  reason: FileReason;
  retryAfterMs?: number;
}

// Drive failures that no retry of this file will cure, and the reason each file records.
const permanentDriveReasons: Partial<Record<DriveErrorKind, FileReason>> = {
  [DriveErrorKind.NotFound]: FileReason.NotFound,
  [DriveErrorKind.DownloadQuota]: FileReason.DownloadQuotaExceeded,
  [DriveErrorKind.AbusiveFile]: FileReason.AbusiveFile,
  [DriveErrorKind.NotDownloadable]: FileReason.NotDownloadable,
  [DriveErrorKind.AccessDenied]: FileReason.NotDownloadable,
  [DriveErrorKind.InvalidRequest]: FileReason.NotDownloadable,
};

function classify(error: unknown): Classification {
  if (error instanceof DriveError) {
    const permanent = permanentDriveReasons[error.kind];
    if (permanent !== undefined) return { retryable: false, category: error.kind, reason: permanent };
    // Rate limits, outages, stalls, a key being fixed, surprises: all worth another attempt later.
    return {
      retryable: true,
      category: error.kind,
      reason: FileReason.RetriesExhausted,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
  }
  if (error instanceof ContentMismatchError) {
    return { retryable: true, category: "checksumMismatch", reason: FileReason.ChecksumMismatch };
  }
  if (error instanceof StorageError)
    return { retryable: true, category: "storage", reason: FileReason.StorageFailed };
  if (error instanceof MissingApiKeyError) {
    return { retryable: true, category: "apiKeyMissing", reason: FileReason.RetriesExhausted };
  }
  return { retryable: true, category: "unexpected", reason: FileReason.RetriesExhausted };
}

/**
 * Decides a failed attempt's fate: permanent failures and the last allowed attempt fail the file with its
 * reason; anything else is retried after a jittered exponential delay (at least what Drive's Retry-After asked).
 * `attempt` counts from 1 and includes this one.
 */
export function decideFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
  backoff: RetryBackoff,
  random: () => number = Math.random,
): FailureDecision {
  const classification = classify(error);
  const message = error instanceof Error ? error.message : String(error);
  if (!classification.retryable) return { action: "fail", reason: classification.reason, message };
  if (attempt >= maxAttempts) {
    return {
      action: "fail",
      reason: classification.reason,
      message: `after ${attempt} attempts: ${message}`,
    };
  }
  const delayMs = Math.max(
    classification.retryAfterMs ?? 0,
    backoffDelay(
      attempt - 1,
      { initialMs: backoff.initialDelayMs, maxMs: backoff.maxDelayMs, jitter: 0.5 },
      random,
    ),
  );
  return {
    action: "retry",
    delayMs: Math.round(delayMs),
    category: classification.category,
    reason: classification.reason,
    message,
  };
}
