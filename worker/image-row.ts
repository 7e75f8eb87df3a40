import type { NewImage } from "../lib/db/index.ts";
import { googleDriveSource } from "../lib/imageimport/api.ts";
import type { FileTask } from "../lib/queue/index.ts";
import type { MeasuredContent } from "./content-meter.ts";
import type { ImageMetadata } from "./image-metadata.ts";

/** The catalogue row of a stored file: where it came from (the task), its bytes as measured, its metadata. */
export function imageRow(task: FileTask, measured: MeasuredContent, metadata: ImageMetadata): NewImage {
  return {
    source: googleDriveSource,
    source_id: task.fileId,
    import_uid: task.importUid,
    name: task.name,
    folder_path: task.folderPath,
    mime_type: task.mimeType,
    size: measured.size,
    md5: measured.md5,
    sha256: measured.sha256,
    width: metadata.width,
    height: metadata.height,
    taken_at: metadata.takenAt,
    camera_make: metadata.cameraMake,
    camera_model: metadata.cameraModel,
    latitude: metadata.latitude,
    longitude: metadata.longitude,
    bucket: task.bucket,
    object_key: task.objectKey,
  };
}
