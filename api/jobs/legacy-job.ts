import type { ImportState } from "../../lib/db/index.ts";

/** The older API's job states. */
export type LegacyJobStatus = "waiting" | "active" | "completed" | "failed";

const statusOfState: Record<ImportState, LegacyJobStatus> = {
  pending: "waiting",
  listing: "waiting",
  running: "active",
  suspended: "active",
  succeeded: "completed",
  failed: "failed",
  cancelled: "failed",
};

/** Maps an import's state to the job status the older API's clients expect. */
export function legacyJobStatus(state: ImportState): LegacyJobStatus {
  return statusOfState[state];
}

/** Image counts of one import as the older API reported them. */
export interface JobCounts {
  total: number;
  processed: number;
  failed: number;
}

/** Percent of files done, 0 to 100; a completed job is at 100 even when it had nothing to import. */
export function legacyJobProgress(status: LegacyJobStatus, counts: JobCounts): number {
  if (status === "completed") return 100;
  if (counts.total === 0) return 0;
  return Math.min(100, Math.floor((counts.processed * 100) / counts.total));
}
