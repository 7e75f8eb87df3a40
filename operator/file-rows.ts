import { matchesMimeTypes, type DriveImageMetadata, type WalkEvent } from "../lib/drive/index.ts";
import { FileReason } from "../lib/imageimport/index.ts";
import type { TaskImageMetadata } from "../lib/queue/index.ts";
// Not the index, which also loads the AWS SDK (see destination.ts).
import { objectKeyFor } from "../lib/storage/object-key.ts";

/** Which files of the folder an import takes (spec.source.googleDrive's filters). */
export interface FileFilter {
  mimeTypes: readonly string[];
  maxFileSizeBytes: number | undefined;
}

/** Where a listed file lands and which listing round recorded it. */
export interface FileRowContext {
  importUid: string;
  /** The destination prefix, defaults applied. */
  prefix: string;
  filter: FileFilter;
  round: number;
}

/** One import_files row as a listing records it (the columns listing-records.ts writes). */
export interface ListedFile {
  import_uid: string;
  file_id: string;
  name: string;
  folder_path: string;
  mime_type: string;
  size: number | null;
  md5: string | null;
  modified_time: string | null;
  resource_key: string | null;
  object_key: string;
  state: "pending" | "skipped";
  error_reason: FileReason | null;
  error_message: string | null;
  /** TaskImageMetadata as JSON. */
  image: string | null;
  listed_round: number;
}

type Verdict = { state: "pending" } | { state: "skipped"; reason: FileReason; message: string };

/** Whether a listed file is imported, or skipped with the reason users see in its record. */
export function fileVerdict(
  file: { mimeType: string; size: number | null; downloadable: boolean },
  filter: FileFilter,
): Verdict {
  if (!matchesMimeTypes(file.mimeType, filter.mimeTypes)) {
    return {
      state: "skipped",
      reason: FileReason.MimeTypeExcluded,
      message: `${file.mimeType} is not one of the import's mimeTypes (${filter.mimeTypes.join(", ")})`,
    };
  }
  if (!file.downloadable) {
    return {
      state: "skipped",
      reason: FileReason.NotDownloadable,
      message:
        "Drive serves no bytes for this item (a Google Docs editor file, or its owner disabled downloads)",
    };
  }
  const max = filter.maxFileSizeBytes;
  if (max !== undefined && file.size !== null && file.size > max) {
    return {
      state: "skipped",
      reason: FileReason.FileTooLarge,
      message: `${file.size} bytes is more than the import's maxFileSizeBytes (${max})`,
    };
  }
  return { state: "pending" };
}

/**
 * The import_files row for one thing a walk met: a file (pending, or skipped by the filters) or a dangling
 * shortcut (skipped). Folder progress events record nothing.
 */
export function fileRowFor(event: WalkEvent, context: FileRowContext): ListedFile | undefined {
  if (event.kind === "folder-listed") return undefined;
  const base = { import_uid: context.importUid, listed_round: context.round, folder_path: event.folderPath };
  if (event.kind === "dangling-shortcut") {
    return {
      ...base,
      file_id: event.shortcutId,
      name: event.name,
      mime_type: "application/vnd.google-apps.shortcut",
      size: null,
      md5: null,
      modified_time: null,
      resource_key: null,
      object_key: objectKeyFor(context.prefix, event.folderPath, event.shortcutId, event.name),
      state: "skipped",
      error_reason: FileReason.DanglingShortcut,
      error_message:
        event.targetId === null
          ? "the shortcut names no target"
          : `the shortcut's target ${event.targetId} is gone, trashed or not shared with the link`,
      image: null,
    };
  }
  const { file } = event;
  const verdict = fileVerdict(file, context.filter);
  return {
    ...base,
    file_id: file.id,
    name: file.name,
    mime_type: file.mimeType,
    size: file.size,
    md5: file.md5Checksum,
    modified_time: file.modifiedTime,
    resource_key: file.resourceKey,
    object_key: objectKeyFor(context.prefix, event.folderPath, file.id, file.name),
    state: verdict.state,
    error_reason: verdict.state === "skipped" ? verdict.reason : null,
    error_message: verdict.state === "skipped" ? verdict.message : null,
    image: file.image === null ? null : JSON.stringify(taskImageMetadata(file.image)),
  };
}

/** Drive's imageMediaMetadata in the task's form; the EXIF time has no zone and is read as UTC. */
export function taskImageMetadata(image: DriveImageMetadata): TaskImageMetadata {
  const out: TaskImageMetadata = {};
  if (image.width !== undefined) out.width = image.width;
  if (image.height !== undefined) out.height = image.height;
  const takenAt = image.time === undefined ? undefined : exifTimeToIso(image.time);
  if (takenAt !== undefined) out.takenAt = takenAt;
  if (image.cameraMake !== undefined) out.cameraMake = image.cameraMake;
  if (image.cameraModel !== undefined) out.cameraModel = image.cameraModel;
  if (image.location?.latitude !== undefined) out.latitude = image.location.latitude;
  if (image.location?.longitude !== undefined) out.longitude = image.location.longitude;
  return out;
}

function exifTimeToIso(time: string): string | undefined {
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(time);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
