import { imageImportApi, parseFolderUrl, type ImageImport } from "../../lib/imageimport/index.ts";
import { ApiErrors } from "../errors.ts";
import type { CreateImportBody } from "../schemas/imports.ts";

/** Names the API generates end in a random suffix after this prefix (metadata.generateName). */
const generatedNamePrefix = "import-";

/**
 * The ImageImport a create request asks for. The folder link is checked first, with the CRD's own
 * rules (parseFolderUrl), so a bad link is a 400 naming the problem and nothing is created.
 */
export function newImageImport(request: CreateImportBody): ImageImport {
  const folder = parseFolderUrl(request.folderUrl);
  if (!folder.ok) throw ApiErrors.invalidFolderUrl(folder.message);
  const googleDrive: ImageImport["spec"]["source"]["googleDrive"] = { folderUrl: request.folderUrl };
  if (request.recursive !== undefined) googleDrive.recursive = request.recursive;
  if (request.mimeTypes !== undefined) googleDrive.mimeTypes = request.mimeTypes;
  if (request.maxFileSizeBytes !== undefined) googleDrive.maxFileSizeBytes = request.maxFileSizeBytes;
  if (request.apiKeySecretRef !== undefined) googleDrive.apiKeySecretRef = request.apiKeySecretRef;

  const spec: ImageImport["spec"] = { source: { googleDrive } };
  if (request.destination !== undefined) spec.destination = request.destination;
  if (request.suspend !== undefined) spec.suspend = request.suspend;
  if (request.backoffLimitPerFile !== undefined) spec.backoffLimitPerFile = request.backoffLimitPerFile;
  if (request.maxFailedFiles !== undefined) spec.maxFailedFiles = request.maxFailedFiles;
  if (request.parallelism !== undefined) spec.parallelism = request.parallelism;
  if (request.activeDeadlineSeconds !== undefined) spec.activeDeadlineSeconds = request.activeDeadlineSeconds;
  if (request.ttlSecondsAfterFinished !== undefined)
    spec.ttlSecondsAfterFinished = request.ttlSecondsAfterFinished;
  if (request.syncIntervalSeconds !== undefined) spec.sync = { intervalSeconds: request.syncIntervalSeconds };

  return {
    apiVersion: imageImportApi.apiVersion,
    kind: imageImportApi.kind,
    metadata: request.name === undefined ? { generateName: generatedNamePrefix } : { name: request.name },
    spec,
  };
}
