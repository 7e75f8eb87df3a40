// The Drive library shared by the operator (resolve, walk) and the workers (download). Build one
// DriveClients per process from its settings, take `forApiKey(key)` per import, and pass that client on.
export type { DriveAttempt, DriveCallHooks, DriveCaller, DriveCallOptions, DriveOperation } from "./call.ts";
export {
  apiKeyFingerprint,
  defaultDriveRootUrl,
  defaultDriveSettings,
  DriveClients,
  type DriveClient,
  type DriveSettings,
} from "./client.ts";
export type { DriveFile, DriveImageMetadata } from "./drive-file.ts";
export { openFileStream, type FileStream, type OpenFileOptions } from "./download.ts";
export { DriveError, DriveErrorKind, scrubApiKey } from "./errors.ts";
export {
  resolveFolder,
  sourceProblemFor,
  type DriveFolder,
  type FolderResolution,
  type SourceProblem,
} from "./folder.ts";
export { driveMimeTypes, isGoogleAppsType, matchesMimeTypes } from "./mime.ts";
export { defaultPacerOptions, type Pacer, type PacerOptions } from "./pacer.ts";
export type { DriveItemRef } from "./resource-keys.ts";
export { defaultRetryPolicyOptions, type RetryPolicyOptions } from "./retry-policy.ts";
export { walkFolder, type WalkEvent, type WalkOptions } from "./walk.ts";
