import type { drive_v3 } from "@googleapis/drive";
import { isGoogleAppsType } from "./mime.ts";

/** Camera data Drive extracted from an image (`imageMediaMetadata`). */
export interface DriveImageMetadata {
  width?: number;
  height?: number;
  rotation?: number;
  /** EXIF date, as Drive writes it ("2024:07:01 10:00:00"). */
  time?: string;
  cameraMake?: string;
  cameraModel?: string;
  location?: { latitude?: number; longitude?: number; altitude?: number };
}

/** One file met during a walk, with what the operator records and the worker needs. */
export interface DriveFile {
  /** The id to download: for a file reached through a shortcut, the target's id. */
  id: string;
  /** The name as it appears in its folder: for a shortcut, the shortcut's name. */
  name: string;
  mimeType: string;
  /** Bytes; null for items without content (Docs). */
  size: number | null;
  md5Checksum: string | null;
  /** Missing on some old files. */
  sha256Checksum: string | null;
  modifiedTime: string | null;
  createdTime: string | null;
  /** Needed (as a header) to download link-shared files from before 2021. */
  resourceKey: string | null;
  image: DriveImageMetadata | null;
  /** False for Google Docs editor files (no bytes) and files whose owner disabled downloads. */
  downloadable: boolean;
  /** The shortcut's id when the file was reached through one. */
  viaShortcutId: string | null;
}

/** `fields` of one item: what the operator records, the worker needs and the walker decides on. */
export const driveFileFields =
  "id,name,mimeType,size,md5Checksum,sha256Checksum,modifiedTime,createdTime,parents,resourceKey,shortcutDetails," +
  "imageMediaMetadata(width,height,rotation,time,cameraMake,cameraModel,location),capabilities/canDownload,trashed";

/** The DriveFile of a listed or fetched item, named `name` where it appears (a shortcut's own name). */
export function toDriveFile(
  id: string,
  item: drive_v3.Schema$File,
  name: string,
  viaShortcutId: string | null,
): DriveFile {
  const mimeType = item.mimeType ?? "application/octet-stream";
  const size = item.size === undefined || item.size === null ? null : Number(item.size);
  return {
    id,
    name,
    mimeType,
    size: Number.isFinite(size) ? size : null,
    md5Checksum: item.md5Checksum ?? null,
    sha256Checksum: item.sha256Checksum ?? null,
    modifiedTime: item.modifiedTime ?? null,
    createdTime: item.createdTime ?? null,
    resourceKey: item.resourceKey ?? null,
    image: item.imageMediaMetadata ? toImageMetadata(item.imageMediaMetadata) : null,
    downloadable: !isGoogleAppsType(mimeType) && item.capabilities?.canDownload !== false,
    viaShortcutId,
  };
}

function toImageMetadata(meta: drive_v3.Schema$File["imageMediaMetadata"] & object): DriveImageMetadata {
  const out: DriveImageMetadata = {};
  if (typeof meta.width === "number") out.width = meta.width;
  if (typeof meta.height === "number") out.height = meta.height;
  if (typeof meta.rotation === "number") out.rotation = meta.rotation;
  if (typeof meta.time === "string") out.time = meta.time;
  if (typeof meta.cameraMake === "string") out.cameraMake = meta.cameraMake;
  if (typeof meta.cameraModel === "string") out.cameraModel = meta.cameraModel;
  if (meta.location) {
    const { latitude, longitude, altitude } = meta.location;
    out.location = {
      ...(typeof latitude === "number" ? { latitude } : {}),
      ...(typeof longitude === "number" ? { longitude } : {}),
      ...(typeof altitude === "number" ? { altitude } : {}),
    };
  }
  return out;
}
