export {
  googleDriveSource,
  imageImportApi,
  imageImportFinalizer,
  importKey,
  type StoredImageImport,
} from "./api.ts";
export {
  folderUrlMessages,
  parseFolderUrl,
  type DriveFolderRef,
  type FolderUrlResult,
} from "./folder-url.ts";
export { ConditionType, FileReason, Reason } from "./reasons.ts";
export type {
  Condition,
  FileFailure,
  ImageImport,
  ImageImportSpec,
  ImageImportStatus,
  ImportProgress,
} from "./types.generated.ts";
