import type { ImportState } from "../lib/db/index.ts";
import { ConditionType, Reason } from "../lib/imageimport/index.ts";
import type { ControllerContext, ImportView } from "./context.ts";
import { recordImportState } from "./import-record.ts";
import { unfinishedFiles, type FileCounts } from "./progress.ts";
import { timestamp, type StatusDraft } from "./status.ts";

/**
 * How an import ends. Owns the Succeeded condition's final value, status.completionTime and, for imports
 * with spec.sync, status.sync.
 */

export interface ImportOutcome {
  succeeded: boolean;
  reason: Reason;
  message: string;
}

/**
 * The outcome once every file has ended, exactly: the listing recorded its last file and no row is pending,
 * queued or in flight. Undefined while the import runs.
 */
export function completionOutcome(listingComplete: boolean, counts: FileCounts): ImportOutcome | undefined {
  if (!listingComplete || unfinishedFiles(counts) > 0) return undefined;
  const done = `${counts.succeeded} imported, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.unchanged} unchanged`;
  return counts.failed > 0
    ? {
        succeeded: true,
        reason: Reason.CompletedWithFailures,
        message: `every file has ended (${done}); see status.failures`,
      }
    : { succeeded: true, reason: Reason.Completed, message: `every file has ended (${done})` };
}

function recordedState(outcome: ImportOutcome): ImportState {
  if (outcome.succeeded) return "succeeded";
  return outcome.reason === Reason.Cancelled ? "cancelled" : "failed";
}

/**
 * Ends the import: the Succeeded condition and completion time, the row's final state, the workers'
 * credentials removed, and the next sync scheduled. The caller writes the status (exactly).
 */
export async function finishImport(
  ctx: ControllerContext,
  view: ImportView,
  draft: StatusDraft,
  outcome: ImportOutcome,
): Promise<void> {
  const now = draft.now;
  draft.condition(
    ConditionType.Succeeded,
    outcome.succeeded ? "True" : "False",
    outcome.reason,
    outcome.message,
  );
  draft.set("completionTime", timestamp(now));
  if (draft.conditionOf(ConditionType.Listing)?.status === "True") {
    draft.condition(ConditionType.Listing, "False", outcome.reason, `listing stopped: ${outcome.message}`);
  }
  const interval = view.spec.sync?.intervalSeconds;
  if (outcome.succeeded && interval !== undefined) {
    draft.set("sync", {
      lastSyncTime: timestamp(now),
      nextSyncTime: timestamp(now.getTime() + interval * 1000),
      syncs: view.record.listing_round,
    });
  }
  await recordImportState(ctx.db, view.uid, recordedState(outcome));
  await ctx.credentials.release(view.uid);
  ctx.metrics.importsFinished.inc({ reason: outcome.reason });
  ctx.logger.info("import finished", { import: view.key, reason: outcome.reason });
}
