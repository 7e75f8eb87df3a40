/** The bytes that arrived are not the ones Drive listed (corrupted in transit, or the file changed since). */
export class ContentMismatchError extends Error {
  override readonly name = "ContentMismatchError";
}

/** S3 refused or failed a request for this file (look-up, upload, read-back). */
export class StorageError extends Error {
  override readonly name = "StorageError";
}

/** No Drive API key for the task's import: the operator has handed none over and the worker has no default. */
export class MissingApiKeyError extends Error {
  override readonly name = "MissingApiKeyError";
}
