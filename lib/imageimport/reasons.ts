/**
 * Every condition type, condition reason, Event reason and file reason in one place. They are API:
 * automation matches on them, so they only ever gain members.
 */

export const ConditionType = {
  /** The summary: Unknown while running, True when every file ended, False when the import failed. */
  Succeeded: "Succeeded",
  /** True while the folder is being listed. */
  Listing: "Listing",
  /** True while spec.suspend holds the import. */
  Suspended: "Suspended",
  /** True once spec.cancel stopped the import. */
  Cancelled: "Cancelled",
  /** False while the Drive source cannot be used (Secret missing, key rejected, folder not found). */
  SourceReady: "SourceReady",
  /** False while the destination bucket cannot be written. */
  DestinationReady: "DestinationReady",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons on conditions and Events. */
export const Reason = {
  Pending: "Pending",
  Running: "Running",
  ListingInProgress: "ListingInProgress",
  ListingComplete: "ListingComplete",
  Completed: "Completed",
  CompletedWithFailures: "CompletedWithFailures",
  Suspended: "Suspended",
  Resumed: "Resumed",
  Cancelled: "Cancelled",
  RetryingFailedFiles: "RetryingFailedFiles",
  SyncStarted: "SyncStarted",
  SyncCompleted: "SyncCompleted",
  DeadlineExceeded: "DeadlineExceeded",
  TooManyFailedFiles: "TooManyFailedFiles",
  TtlExpired: "TtlExpired",
  SourceReady: "SourceReady",
  DestinationReady: "DestinationReady",
  SecretNotFound: "SecretNotFound",
  SecretKeyMissing: "SecretKeyMissing",
  ApiKeyMissing: "ApiKeyMissing",
  ApiKeyInvalid: "ApiKeyInvalid",
  FolderNotFound: "FolderNotFound",
  NotAFolder: "NotAFolder",
  DriveQuotaExceeded: "DriveQuotaExceeded",
  DriveUnavailable: "DriveUnavailable",
  BucketNotReachable: "BucketNotReachable",
  QueuedTasksPurged: "QueuedTasksPurged",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Why one file was skipped or failed; stored per file in PostgreSQL and sampled into status.failures. */
export const FileReason = {
  MimeTypeExcluded: "MimeTypeExcluded",
  FileTooLarge: "FileTooLarge",
  NotDownloadable: "NotDownloadable",
  DanglingShortcut: "DanglingShortcut",
  AlreadyStored: "AlreadyStored",
  NotFound: "NotFound",
  DownloadQuotaExceeded: "DownloadQuotaExceeded",
  AbusiveFile: "AbusiveFile",
  ChecksumMismatch: "ChecksumMismatch",
  RetriesExhausted: "RetriesExhausted",
  DeliveryLimitReached: "DeliveryLimitReached",
  StorageFailed: "StorageFailed",
  Cancelled: "Cancelled",
} as const;
export type FileReason = (typeof FileReason)[keyof typeof FileReason];
