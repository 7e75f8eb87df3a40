import { sql } from "kysely";
import { ConditionType, FileReason, Reason } from "../lib/imageimport/index.ts";
import type { ImageImportSpec, ImageImportStatus } from "../lib/imageimport/index.ts";
import type { ControllerContext, ImportView } from "./context.ts";
import { recordImportState } from "./import-record.ts";
import { timestamp, type StatusDraft } from "./status.ts";

/**
 * spec.retryGeneration: raising it on a finished import runs its failed files again (and the files an early
 * stop left untried). Owns status.retryGeneration.
 */

/** Whether spec.retryGeneration asks for a retry the operator has not started yet. */
export function retryRequested(spec: ImageImportSpec, status: ImageImportStatus | undefined): boolean {
  return (spec.retryGeneration ?? 0) > (status?.retryGeneration ?? 0);
}

/**
 * Starts the retry: failed rows (and rows an early stop skipped untried) go back to pending with their
 * attempts reset, to be published again with a higher generation. Returns how many.
 */
export async function startRetry(
  ctx: ControllerContext,
  view: ImportView,
  draft: StatusDraft,
): Promise<number> {
  const result = await ctx.db
    .updateTable("import_files")
    .set({
      state: "pending",
      attempts: 0,
      error_reason: null,
      error_message: null,
      finished_at: null,
      updated_at: sql`now()`,
    })
    .where("import_uid", "=", view.uid)
    .where((eb) =>
      eb.or([
        eb("state", "=", "failed"),
        eb.and([eb("state", "=", "skipped"), eb("error_reason", "=", FileReason.Cancelled)]),
      ]),
    )
    .executeTakeFirst();
  const files = Number(result.numUpdatedRows);
  // A listing that failed for good (say the folder was not shared yet) starts over too.
  await ctx.listings.stop(view.uid);
  await recordImportState(ctx.db, view.uid, "running");
  const generation = view.spec.retryGeneration ?? 0;
  draft.set("retryGeneration", generation);
  draft.condition(
    ConditionType.Succeeded,
    "Unknown",
    Reason.RetryingFailedFiles,
    `retrying ${files} files that failed or were never tried (spec.retryGeneration ${generation})`,
  );
  draft.clear("completionTime");
  draft.set("startTime", timestamp(draft.now));
  return files;
}
