import type { StoredImageImport } from "../../lib/imageimport/index.ts";
import type { ImportState } from "../../lib/db/index.ts";
import type { ImportView } from "../schemas/imports.ts";

const finishedStates: readonly ImportState[] = ["succeeded", "failed", "cancelled"];

/** The import's state: its status.phase lower-cased, pending until the operator has written one. */
export function importState(resource: StoredImageImport): ImportState {
  const phase = resource.status?.phase;
  return phase === undefined ? "pending" : (phase.toLowerCase() as ImportState);
}

/** Whether the import has ended (succeeded, failed or cancelled): nothing more will change by itself. */
export function isFinished(state: ImportState): boolean {
  return finishedStates.includes(state);
}

/** A metadata time as RFC 3339: custom objects arrive as parsed JSON, so they are strings whatever V1ObjectMeta says. */
export function isoTime(value: unknown): string | null {
  if (typeof value === "string") return value;
  return value instanceof Date ? value.toISOString() : null;
}

/** What the API shows of an ImageImport: its spec's controls and the status the operator aggregated. */
export function importView(resource: StoredImageImport): ImportView {
  const { metadata, spec, status } = resource;
  const progress = status?.progress ?? {};
  const state = importState(resource);
  return {
    id: metadata.uid,
    namespace: metadata.namespace,
    name: metadata.name,
    createdAt: isoTime(metadata.creationTimestamp) ?? "",
    folderUrl: spec.source.googleDrive.folderUrl,
    recursive: spec.source.googleDrive.recursive ?? true,
    destination: {
      bucket: status?.destination?.bucket ?? spec.destination?.bucket ?? null,
      prefix: status?.destination?.prefix ?? spec.destination?.prefix ?? null,
    },
    suspend: spec.suspend ?? false,
    cancel: spec.cancel ?? false,
    retryGeneration: spec.retryGeneration ?? 0,
    state,
    finished: isFinished(state),
    deleting: metadata.deletionTimestamp !== undefined,
    progress: {
      total: progress.total ?? 0,
      queued: progress.queued ?? 0,
      succeeded: progress.succeeded ?? 0,
      failed: progress.failed ?? 0,
      skipped: progress.skipped ?? 0,
      unchanged: progress.unchanged ?? 0,
      bytesTotal: progress.bytesTotal ?? 0,
      bytesStored: progress.bytesStored ?? 0,
    },
    listing: {
      foldersListed: status?.listing?.foldersListed ?? 0,
      complete: status?.listing?.complete ?? false,
    },
    conditions: (status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: c.lastTransitionTime,
    })),
    failures: (status?.failures ?? []).map((f) => ({
      fileId: f.fileId ?? null,
      path: f.path ?? null,
      reason: f.reason ?? null,
      message: f.message ?? null,
      attempts: f.attempts ?? null,
    })),
    startTime: status?.startTime ?? null,
    completionTime: status?.completionTime ?? null,
  };
}
