/* Generated from crds/imagesync.io_imageimports.yaml by tools/codegen/crd-types.ts. Do not edit. */
import type { V1ObjectMeta } from "@kubernetes/client-node";

/**
 * ImageImport copies the images of one Google Drive folder into S3-compatible object storage and records their metadata in PostgreSQL. Like a batch/v1 Job it runs to completion: status.conditions holds Succeeded once every file has ended, and spec.sync turns it into a periodic re-sync.
 */
export interface ImageImport {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  apiVersion?: string;
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: ImageImportSpec;
  status?: ImageImportStatus;
}
/**
 * What to import, where to, and how the import runs.
 */
export interface ImageImportSpec {
  /**
   * Where the images come from. Immutable once set; create a new ImageImport for another folder.
   */
  source: {
    /**
     * A Google Drive folder shared with "anyone with the link", read with an API key.
     */
    googleDrive: {
      /**
       * The folder's link as Drive shows it (https://drive.google.com/drive/folders/<id>, with or without ?usp=sharing and &resourcekey=<key>; /drive/u/<n>/folders/<id>; open?id=<id>; folderview?id=<id>) or the bare folder id.
       */
      folderUrl: string;
      /**
       * Import the images of every sub-folder too (shortcuts to folders are followed once each).
       */
      recursive?: boolean;
      /**
       * A Secret in this namespace holding a Google API key with the Drive API enabled. Without it the operator's default key is used.
       */
      apiKeySecretRef?: {
        /**
         * The Secret's name.
         */
        name: string;
        /**
         * The key in the Secret's data that holds the API key.
         */
        key?: string;
      };
      /**
       * MIME types to import, exact (image/png) or by family (image/*). Other files are recorded as skipped with reason MimeTypeExcluded.
       *
       * @maxItems 32
       */
      mimeTypes?: string[];
      /**
       * Files larger than this are skipped with reason FileTooLarge. No limit when unset.
       */
      maxFileSizeBytes?: number;
    };
  };
  /**
   * Where the images go. Immutable once set: the files already stored and their records stay where they are, so create a new ImageImport to import into another place.
   */
  destination?: {
    /**
     * The S3 bucket. Defaults to the installation's bucket (the operator's --default-bucket).
     */
    bucket?: string;
    /**
     * Key prefix for every object of this import, ending in '/'. Defaults to <namespace>/<name>/. Objects are stored at <prefix><folder path>/<file id>-<file name>. It must start with <namespace>/ unless the installation turned its admission policy off (the Helm chart's crds.prefixWithinNamespace), so one namespace cannot write to another's objects.
     */
    prefix?: string;
  };
  /**
   * Pause the import: nothing more is published and queued files wait (files in flight finish). Setting it back to false resumes exactly where it stopped.
   */
  suspend?: boolean;
  /**
   * Stop the import for good: queued files are dropped, files in flight finish, files already stored stay. Cannot be undone.
   */
  cancel?: boolean;
  /**
   * Raise by one to retry the failed files of a finished import; only failed files run again.
   */
  retryGeneration?: number;
  /**
   * How many times one file is retried after a transient failure before it counts as failed.
   */
  backoffLimitPerFile?: number;
  /**
   * Fail the whole import (reason TooManyFailedFiles) once more files than this have failed. Unset means the import runs to the end and reports every failure.
   */
  maxFailedFiles?: number;
  /**
   * The most files of this import queued or in flight at once, so one large import shares the workers with the others instead of starving them.
   */
  parallelism?: number;
  /**
   * Fail the import (reason DeadlineExceeded) if it has not finished this many seconds after it started.
   */
  activeDeadlineSeconds?: number;
  /**
   * Delete this ImageImport this many seconds after it finished. Stored images and their records stay.
   */
  ttlSecondsAfterFinished?: number;
  /**
   * Re-list the folder periodically and import only new or changed files.
   */
  sync?: {
    /**
     * Seconds between the end of one sync and the start of the next.
     */
    intervalSeconds: number;
  };
}
/**
 * What the operator observed. Written only by the operator.
 */
export interface ImageImportStatus {
  /**
   * The metadata.generation this status describes.
   */
  observedGeneration?: number;
  /**
   * A one-word summary for printer columns, derived from the conditions. Use conditions in automation.
   */
  phase?: "Pending" | "Listing" | "Running" | "Suspended" | "Succeeded" | "Failed" | "Cancelled";
  /**
   * The latest observations. Succeeded summarises; Listing, Suspended and Cancelled describe the stages.
   */
  conditions?: Condition[];
  progress?: ImportProgress;
  /**
   * How far listing the folder has come.
   */
  listing?: {
    /**
     * Folders listed so far.
     */
    foldersListed?: number;
    /**
     * True once every folder has been listed and every file recorded.
     */
    complete?: boolean;
  };
  /**
   * A sample of the most recent file failures; the REST API lists them all.
   *
   * @maxItems 10
   */
  failures?:
    | []
    | [FileFailure]
    | [FileFailure, FileFailure]
    | [FileFailure, FileFailure, FileFailure]
    | [FileFailure, FileFailure, FileFailure, FileFailure]
    | [FileFailure, FileFailure, FileFailure, FileFailure, FileFailure]
    | [FileFailure, FileFailure, FileFailure, FileFailure, FileFailure, FileFailure]
    | [FileFailure, FileFailure, FileFailure, FileFailure, FileFailure, FileFailure, FileFailure]
    | [FileFailure, FileFailure, FileFailure, FileFailure, FileFailure, FileFailure, FileFailure, FileFailure]
    | [
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
      ]
    | [
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
        FileFailure,
      ];
  /**
   * The bucket and prefix the import writes to, with defaults applied.
   */
  destination?: {
    /**
     * The bucket.
     */
    bucket?: string;
    /**
     * The key prefix.
     */
    prefix?: string;
  };
  /**
   * When the operator started the import.
   */
  startTime?: string;
  /**
   * When the import finished (succeeded, failed or cancelled).
   */
  completionTime?: string;
  /**
   * The spec.retryGeneration whose retry the operator has started.
   */
  retryGeneration?: number;
  /**
   * Periodic re-sync times.
   */
  sync?: {
    /**
     * When the last sync finished.
     */
    lastSyncTime?: string;
    /**
     * When the next sync starts.
     */
    nextSyncTime?: string;
    /**
     * How many syncs have run.
     */
    syncs?: number;
  };
}
/**
 * A metav1.Condition.
 */
export interface Condition {
  /**
   * The condition's type, e.g. Succeeded.
   */
  type: string;
  /**
   * True, False or Unknown.
   */
  status: "True" | "False" | "Unknown";
  /**
   * The metadata.generation the condition was set for.
   */
  observedGeneration?: number;
  /**
   * When the status last changed.
   */
  lastTransitionTime: string;
  /**
   * A CamelCase reason, stable for automation.
   */
  reason: string;
  /**
   * A human-readable explanation.
   */
  message: string;
}
/**
 * File counters, aggregated from the per-file records in PostgreSQL.
 */
export interface ImportProgress {
  /**
   * Files found in the folder (after following shortcuts).
   */
  total?: number;
  /**
   * Files waiting for or being worked on by a worker.
   */
  queued?: number;
  /**
   * Files stored in the bucket and recorded.
   */
  succeeded?: number;
  /**
   * Files that could not be imported; see failures and the REST API's files listing.
   */
  failed?: number;
  /**
   * Files not imported on purpose (not an image, too large, a Google Doc, already stored).
   */
  skipped?: number;
  /**
   * Files a re-sync found unchanged since they were stored.
   */
  unchanged?: number;
  /**
   * Bytes of the files to import.
   */
  bytesTotal?: number;
  /**
   * Bytes stored so far.
   */
  bytesStored?: number;
}
export interface FileFailure {
  /**
   * The Drive file id.
   */
  fileId?: string;
  /**
   * The file's folder path and name.
   */
  path?: string;
  /**
   * A stable CamelCase reason, e.g. DownloadQuotaExceeded.
   */
  reason?: string;
  /**
   * What went wrong.
   */
  message?: string;
  /**
   * How many times the file was tried.
   */
  attempts?: number;
}
