import { sql } from "kysely";
import { FileReason, Reason } from "../lib/imageimport/index.ts";
import type { ControllerContext, ImportView } from "./context.ts";
import { countFilesByState, type FileCounts } from "./progress.ts";
import { purgeImportTasks } from "./task-purge.ts";

/**
 * Ending an import before its files are done (cancel, deadline, too many failures, a source that cannot be
 * read): listing stops, queued tasks are purged, files not yet started are skipped (reason Cancelled), files
 * in flight may finish for a grace period and are then abandoned. Files already stored stay.
 */

export interface StopCause {
  /** The Succeeded condition's reason once the import has ended. */
  reason: Reason;
  message: string;
  /** What each file left unimported records as its error message. */
  fileMessage: string;
}

export type StopProgress =
  { finished: true; counts: FileCounts } | { finished: false; counts: FileCounts; waitMs: number };

/** Drives stops to their end; remembers when this process began each one, for the in-flight grace period. */
export class ImportStopper {
  readonly #since = new Map<string, number>();

  /** One step of stopping `view`: returns whether every file has now ended. */
  async step(ctx: ControllerContext, view: ImportView, cause: StopCause): Promise<StopProgress> {
    const { db, clock, settings } = ctx;
    const uid = view.uid;
    await ctx.listings.stop(uid);
    let since = this.#since.get(uid);
    if (since === undefined) {
      since = clock.now();
      this.#since.set(uid, since);
      const purged = await purgeImportTasks(db, ctx.jsm, ctx.topology, uid);
      ctx.metrics.tasksPurged.inc(purged);
      if (purged > 0) {
        await ctx.events.record(view.object, {
          type: "Normal",
          reason: Reason.QueuedTasksPurged,
          message: `${purged} queued file tasks purged (${cause.reason})`,
        });
      }
    }
    // Repeated on every step: a worker that fails a file in flight hands it back as queued.
    await skipFiles(ctx, uid, ["pending", "queued"], cause.fileMessage);
    let counts = await countFilesByState(db, uid);
    if (counts.in_progress > 0) {
      const waited = clock.now() - since;
      if (waited < settings.inFlightGraceMs) {
        return {
          finished: false,
          counts,
          waitMs: Math.min(settings.pollIntervalMs * 5, settings.inFlightGraceMs - waited),
        };
      }
      const seconds = Math.round(settings.inFlightGraceMs / 1000);
      await skipFiles(
        ctx,
        uid,
        ["in_progress"],
        `${cause.fileMessage}; abandoned while still in flight ${seconds}s later`,
      );
      counts = await countFilesByState(db, uid);
    }
    this.#since.delete(uid);
    return { finished: true, counts };
  }

  forget(uid: string): void {
    this.#since.delete(uid);
  }
}

async function skipFiles(
  ctx: ControllerContext,
  uid: string,
  states: ("pending" | "queued" | "in_progress")[],
  message: string,
): Promise<void> {
  await ctx.db
    .updateTable("import_files")
    .set({
      state: "skipped",
      error_reason: FileReason.Cancelled,
      error_message: message,
      finished_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where("import_uid", "=", uid)
    .where("state", "in", states)
    .execute();
}
