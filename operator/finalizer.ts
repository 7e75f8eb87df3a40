import { customResourcePath, statusCodeOf } from "../lib/controller-runtime/index.ts";
import {
  imageImportApi,
  imageImportFinalizer,
  Reason,
  type StoredImageImport,
} from "../lib/imageimport/index.ts";
import type { ControllerContext } from "./context.ts";
import { recordImportDeleted, recordImportState } from "./import-record.ts";
import { purgeImportTasks } from "./task-purge.ts";

/**
 * The finalizer: a deleted ImageImport's queued tasks are purged and its workers' credentials removed
 * before the object goes. Stored images, their records and the import's history stay. Owns
 * metadata.finalizers (our entry only).
 */

export function hasFinalizer(object: StoredImageImport): boolean {
  return object.metadata.finalizers?.includes(imageImportFinalizer) === true;
}

/** Adds our finalizer. The resourceVersion makes it a conditional write: a concurrent change means 409 and a retry. */
export async function addFinalizer(ctx: ControllerContext, object: StoredImageImport): Promise<void> {
  await patchFinalizers(ctx, object, [...(object.metadata.finalizers ?? []), imageImportFinalizer]);
}

/** Cleans up after a deleted import, then lets it go. */
export async function finalizeDeletedImport(
  ctx: ControllerContext,
  object: StoredImageImport,
): Promise<void> {
  if (!hasFinalizer(object)) return;
  const { uid } = object.metadata;
  await ctx.listings.stop(uid);
  const purged = await purgeImportTasks(ctx.db, ctx.jsm, ctx.topology, uid);
  ctx.metrics.tasksPurged.inc(purged);
  if (purged > 0) {
    await ctx.events.record(object, {
      type: "Normal",
      reason: Reason.QueuedTasksPurged,
      message: `${purged} queued file tasks purged: the ImageImport is being deleted (stored images stay)`,
    });
  }
  await ctx.credentials.release(uid);
  const row = await ctx.db.selectFrom("imports").select("state").where("uid", "=", uid).executeTakeFirst();
  if (row !== undefined && !["succeeded", "failed", "cancelled"].includes(row.state)) {
    await recordImportState(ctx.db, uid, "cancelled");
  }
  await recordImportDeleted(ctx.db, uid);
  await patchFinalizers(
    ctx,
    object,
    (object.metadata.finalizers ?? []).filter((name) => name !== imageImportFinalizer),
  );
  ctx.status.forget(uid);
  ctx.logger.info("import deleted; queued tasks purged", {
    import: `${object.metadata.namespace}/${object.metadata.name}`,
    purged,
  });
}

async function patchFinalizers(
  ctx: ControllerContext,
  object: StoredImageImport,
  finalizers: string[],
): Promise<void> {
  const { group, version, plural } = imageImportApi;
  try {
    await ctx.kube.mergePatch(
      customResourcePath({
        group,
        version,
        plural,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
      }),
      { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } },
    );
  } catch (error) {
    // Gone already: nothing left to add to or remove from.
    if (statusCodeOf(error) !== 404) throw error;
  }
}
