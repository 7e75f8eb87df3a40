import { Reason } from "../lib/imageimport/index.ts";
import type { ImageImportSpec, ImageImportStatus } from "../lib/imageimport/index.ts";
import type { StopCause } from "./stopping.ts";

/** spec.activeDeadlineSeconds: the import fails with DeadlineExceeded once it has run that long. */

/** When the running import's deadline passes (ms since the epoch), or undefined without one. */
export function deadlineOf(spec: ImageImportSpec, status: ImageImportStatus | undefined): number | undefined {
  const seconds = spec.activeDeadlineSeconds;
  const start = status?.startTime;
  if (seconds === undefined || start === undefined) return undefined;
  return Date.parse(start) + seconds * 1000;
}

/** The stop cause if the deadline has passed at `now`. */
export function deadlineExceeded(
  spec: ImageImportSpec,
  status: ImageImportStatus | undefined,
  now: number,
): StopCause | undefined {
  const deadline = deadlineOf(spec, status);
  if (deadline === undefined || now < deadline) return undefined;
  const message = `the import ran longer than spec.activeDeadlineSeconds (${spec.activeDeadlineSeconds}s)`;
  return { reason: Reason.DeadlineExceeded, message, fileMessage: `not imported: ${message}` };
}
