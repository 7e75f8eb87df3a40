import { ConditionType, Reason } from "../lib/imageimport/index.ts";
import type { ImageImportSpec, ImageImportStatus } from "../lib/imageimport/index.ts";
import type { ControllerContext, ImportView } from "./context.ts";
import { recordImportState } from "./import-record.ts";
import { recordListingRoundStarted } from "./listing-records.ts";
import { timestamp, type StatusDraft } from "./status.ts";

/**
 * spec.sync: a finished import lists its folder again every interval and imports only new or changed files
 * (by Drive's md5, modified time and size, see listing-records.ts); the rest count as unchanged. Starts
 * each re-sync; completion.ts schedules the next in status.sync.
 */

/** When the next re-sync is due (ms since the epoch), or undefined when the import has none scheduled. */
export function nextSyncAt(spec: ImageImportSpec, status: ImageImportStatus | undefined): number | undefined {
  if (spec.sync === undefined) return undefined;
  const next = status?.sync?.nextSyncTime;
  if (next !== undefined) return Date.parse(next);
  // Sync was added to an import that had already finished: count the interval from its completion.
  const finished = status?.completionTime;
  return finished === undefined ? undefined : Date.parse(finished) + spec.sync.intervalSeconds * 1000;
}

/** Starts the next listing round; the running import's reconcile does the rest. */
export async function startSync(ctx: ControllerContext, view: ImportView, draft: StatusDraft): Promise<void> {
  const round = view.record.listing_round + 1;
  await recordListingRoundStarted(ctx.db, view.uid, round);
  await recordImportState(ctx.db, view.uid, "listing");
  draft.condition(
    ConditionType.Succeeded,
    "Unknown",
    Reason.SyncStarted,
    `re-sync ${round}: listing the folder for new and changed files`,
  );
  draft.clear("completionTime");
  draft.set("startTime", timestamp(draft.now));
  draft.set("listing", { foldersListed: 0, complete: false });
}
