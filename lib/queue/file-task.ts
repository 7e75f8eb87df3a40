/** What a worker needs to import one file; published by the operator, one message per file. */
export interface FileTask {
  importUid: string;
  fileId: string;
  /** The file row's revision: a re-sync that finds the file changed raises it. */
  revision: number;
  /** Raised on every republish (resume, retry-failed) so JetStream's dedup window lets it through. */
  generation: number;
  name: string;
  folderPath: string;
  mimeType: string;
  size: number | null;
  md5: string | null;
  resourceKey: string | null;
  bucket: string;
  objectKey: string;
  /** Attempts allowed for this file (spec.backoffLimitPerFile + 1). */
  maxAttempts: number;
  /** Drive's imageMediaMetadata from the listing, when it had any; the worker fills gaps from the bytes. */
  image?: TaskImageMetadata;
}

/** What Drive's listing knows about an image; any field may be missing. */
export interface TaskImageMetadata {
  width?: number | null;
  height?: number | null;
  /** Capture time: an ISO 8601 timestamp, or Drive's EXIF form "YYYY:MM:DD HH:MM:SS" (taken as UTC). */
  takenAt?: string | null;
  cameraMake?: string | null;
  cameraModel?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

/** The Nats-Msg-Id: the same file at the same revision and generation is published at most once. */
export function fileTaskMessageId(
  task: Pick<FileTask, "importUid" | "fileId" | "revision" | "generation">,
): string {
  return `${task.importUid}/${task.fileId}/${task.revision}/${task.generation}`;
}

export function encodeFileTask(task: FileTask): string {
  return JSON.stringify(task);
}

const stringFields = ["importUid", "fileId", "name", "mimeType", "bucket", "objectKey"] as const;
const numberFields = ["revision", "generation", "maxAttempts"] as const;

/** Parses and checks a task message; a malformed one is a bug upstream and must be terminated, not retried. */
export function decodeFileTask(data: string): FileTask {
  const value = JSON.parse(data) as Record<string, unknown>;
  for (const field of stringFields) {
    if (typeof value[field] !== "string" || value[field] === "") throw new Error(`file task has no ${field}`);
  }
  // The root folder's own files have the empty path.
  if (typeof value.folderPath !== "string") throw new Error("file task has no folderPath");
  for (const field of numberFields) {
    if (typeof value[field] !== "number" || !Number.isInteger(value[field])) {
      throw new Error(`file task's ${field} is not a whole number`);
    }
  }
  if (value.image !== undefined) checkImageMetadata(value.image);
  return value as unknown as FileTask;
}

const imageFieldTypes = {
  width: "number",
  height: "number",
  takenAt: "string",
  cameraMake: "string",
  cameraModel: "string",
  latitude: "number",
  longitude: "number",
} as const;

function checkImageMetadata(image: unknown): void {
  if (typeof image !== "object" || image === null) throw new Error("file task's image is not an object");
  for (const [field, type] of Object.entries(imageFieldTypes)) {
    const fieldValue = (image as Record<string, unknown>)[field];
    if (fieldValue !== undefined && fieldValue !== null && typeof fieldValue !== type) {
      throw new Error(`file task's image.${field} is not a ${type}`);
    }
  }
}
