import type { ImageImportSpec, ImageImportStatus } from "../lib/imageimport/index.ts";

/** spec.ttlSecondsAfterFinished: a finished import's object is deleted that long after it ended; its data stays. */

/** When the finished import's object is due for deletion (ms since the epoch), or undefined without a TTL. */
export function ttlExpiry(spec: ImageImportSpec, status: ImageImportStatus | undefined): number | undefined {
  const seconds = spec.ttlSecondsAfterFinished;
  const finished = status?.completionTime;
  if (seconds === undefined || finished === undefined) return undefined;
  return Date.parse(finished) + seconds * 1000;
}
