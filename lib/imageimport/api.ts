import type { ImageImport } from "./types.generated.ts";

/** Where ImageImport lives in the Kubernetes API. */
export const imageImportApi = {
  group: "imagesync.io",
  version: "v1alpha1",
  plural: "imageimports",
  kind: "ImageImport",
  apiVersion: "imagesync.io/v1alpha1",
} as const;

/** `imports.source` and `images.source` of what comes from Google Drive (the older API's name for it). */
export const googleDriveSource = "google-drive";

/** The finalizer that lets the operator purge an import's queued tasks before the object goes. */
export const imageImportFinalizer = "imagesync.io/purge-queued-tasks";

/** An ImageImport as read from the API server: metadata is always there. */
export type StoredImageImport = ImageImport & {
  metadata: NonNullable<ImageImport["metadata"]> & { name: string; namespace: string; uid: string };
};

/** `namespace/name`, the work-queue key and the form people type. */
export function importKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
