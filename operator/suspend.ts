import { ConditionType, Reason } from "../lib/imageimport/index.ts";
import type { ControllerContext, ImportView } from "./context.ts";
import { recordImportState } from "./import-record.ts";
import { countFilesByState, type FileCounts } from "./progress.ts";
import { timestamp, type StatusDraft } from "./status.ts";
import { purgeImportTasks, returnOrphanedRows } from "./task-purge.ts";

/**
 * spec.suspend: nothing is listed or published, the import's queued tasks leave the stream and their rows
 * wait as pending (files in flight finish); resuming publishes them again with a higher generation. Owns
 * the Suspended condition.
 */

/** Holds a suspended import; returns the counts for status. */
export async function holdSuspendedImport(
  ctx: ControllerContext,
  view: ImportView,
  draft: StatusDraft,
): Promise<FileCounts> {
  await ctx.listings.stop(view.uid);
  if (draft.conditionOf(ConditionType.Suspended)?.status !== "True") {
    const purged = await purgeImportTasks(ctx.db, ctx.jsm, ctx.topology, view.uid);
    ctx.metrics.tasksPurged.inc(purged);
    if (purged > 0) {
      await ctx.events.record(view.object, {
        type: "Normal",
        reason: Reason.QueuedTasksPurged,
        message: `${purged} queued file tasks purged while the import is suspended`,
      });
    }
  }
  // Every time: a file in flight that fails is handed back as queued, but its task went with the purge.
  await returnOrphanedRows(ctx.db, view.uid);
  await recordImportState(ctx.db, view.uid, "suspended");
  const counts = await countFilesByState(ctx.db, view.uid);
  const waiting = counts.pending + counts.queued;
  draft.condition(
    ConditionType.Suspended,
    "True",
    Reason.Suspended,
    "spec.suspend is true: nothing is listed or published and queued files wait; files in flight finish",
  );
  if (draft.conditionOf(ConditionType.Listing)?.status === "True") {
    draft.condition(
      ConditionType.Listing,
      "False",
      Reason.Suspended,
      "listing is paused while the import is suspended",
    );
  }
  ctx.logger.debug("import suspended", { import: view.key, waiting, inFlight: counts.in_progress });
  return counts;
}

/**
 * The first reconcile after spec.suspend went back to false: Suspended becomes False (Resumed) and, as for
 * a Job, startTime restarts so activeDeadlineSeconds counts from the resume.
 */
export function resumeIfSuspended(draft: StatusDraft): boolean {
  if (draft.conditionOf(ConditionType.Suspended)?.status !== "True") return false;
  draft.condition(
    ConditionType.Suspended,
    "False",
    Reason.Resumed,
    "spec.suspend is false: the import continues where it stopped",
  );
  draft.set("startTime", timestamp(draft.now));
  return true;
}
