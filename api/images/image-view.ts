import type { ImageItem } from "../schemas/images.ts";
import type { ImageRecord } from "./image-queries.ts";

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
    created_at: row.created_at,
    source_id: row.source_id,
    import_id: row.import_uid,
    folder_path: row.folder_path,
    md5: row.md5,
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    taken_at: row.taken_at,
    camera_make: row.camera_make,
    camera_model: row.camera_model,
    latitude: row.latitude,
    longitude: row.longitude,
    bucket: row.bucket,
    object_key: row.object_key,
    updated_at: row.updated_at,
  };
}
