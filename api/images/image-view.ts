import pg from "pg";
import type { ImageItem } from "../schemas/images.ts";
import type { ImageRecord } from "./image-queries.ts";

const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => Date;

/**
 * A timestamptz as PostgreSQL writes it, as Date.prototype.toISOString() would write it. In UTC (the
 * server's usual TimeZone) that is a matter of slicing: `2025-01-07 06:09:10.123999+00` becomes
 * `2025-01-07T06:09:10.123Z` (truncated to milliseconds, as a Date does). Any other form goes through
 * the Date that pg would have made.
 */
export function isoTimestamp(text: string): string {
  if (text.length >= 22 && text.charCodeAt(10) === 32 && text.endsWith("+00") && text.charCodeAt(4) === 45) {
    const fraction = text.charCodeAt(19) === 46 ? `${text.slice(20, -3)}00`.slice(0, 3) : "000";
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
  }
  return parseTimestamp(text).toISOString();
}

/** An image row's id as text (pg returns int8 as a string). */
export function imageIdOf(row: ImageRecord): string {
  return row.id;
}

/** One image as the API shows it: the older API's fields first, then the rest of the catalogue row. */
export function imageItem(row: ImageRecord, url: string): ImageItem {
  return {
    id: imageIdOf(row),
    name: row.name,
    google_drive_id: row.source_id,
    size: Number(row.size),
    mime_type: row.mime_type,
    storage_path: url,
    source: row.source,
    created_at: isoTimestamp(row.created_at),
    source_id: row.source_id,
    import_id: row.import_uid,
    folder_path: row.folder_path,
    md5: row.md5,
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    taken_at: row.taken_at === null ? null : isoTimestamp(row.taken_at),
    camera_make: row.camera_make,
    camera_model: row.camera_model,
    latitude: row.latitude,
    longitude: row.longitude,
    bucket: row.bucket,
    object_key: row.object_key,
    updated_at: isoTimestamp(row.updated_at),
  };
}
