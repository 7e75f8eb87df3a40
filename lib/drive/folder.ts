import { Reason, type DriveFolderRef } from "../imageimport/index.ts";
import type { DriveClient } from "./client.ts";
import { DriveErrorKind, type DriveError } from "./errors.ts";
import { driveMimeTypes } from "./mime.ts";
import { resourceKeyHeaders } from "./resource-keys.ts";

/** The import's root folder as Drive knows it. */
export interface DriveFolder {
  id: string;
  name: string;
  resourceKey?: string;
}

/** Why the source cannot be used, as the SourceReady condition says it. */
export interface SourceProblem {
  reason:
    | typeof Reason.ApiKeyInvalid
    | typeof Reason.FolderNotFound
    | typeof Reason.NotAFolder
    | typeof Reason.DriveQuotaExceeded
    | typeof Reason.DriveUnavailable;
  message: string;
  /** Whether trying again later may succeed without anyone changing anything. */
  retryable: boolean;
  retryAfterMs?: number;
}

export type FolderResolution = { ok: true; folder: DriveFolder } | { ok: false; problem: SourceProblem };

/**
 * Looks up the folder a pasted link names (with its resource key) and checks that it is a folder the
 * API key can read. Rejects only when `signal` aborts.
 */
export async function resolveFolder(
  drive: DriveClient,
  ref: DriveFolderRef,
  options: { signal?: AbortSignal } = {},
): Promise<FolderResolution> {
  let item;
  try {
    const response = await drive.call(
      "files.get",
      ({ signal }) =>
        drive.files.get(
          { fileId: ref.folderId, fields: "id,name,mimeType,resourceKey,trashed", supportsAllDrives: true },
          {
            signal,
            headers: resourceKeyHeaders([{ id: ref.folderId, resourceKey: ref.resourceKey ?? null }]),
          },
        ),
      options,
    );
    item = response.data;
  } catch (thrown) {
    const error = thrown as DriveError;
    if (error.kind === DriveErrorKind.Aborted) throw error;
    return { ok: false, problem: sourceProblemFor(error, ref.folderId) };
  }
  if (item.trashed === true) {
    return { ok: false, problem: folderNotFound(ref.folderId, "it is in its owner's trash") };
  }
  if (item.mimeType !== driveMimeTypes.folder) {
    const hint =
      item.mimeType === driveMimeTypes.shortcut
        ? "open the shortcut and paste the link of its target folder"
        : "paste the link of the folder that holds the images";
    return {
      ok: false,
      problem: {
        reason: Reason.NotAFolder,
        message: `Drive item ${ref.folderId} ("${item.name ?? ""}") is a ${item.mimeType ?? "file"}, not a folder: ${hint}`,
        retryable: false,
      },
    };
  }
  const resourceKey = item.resourceKey ?? ref.resourceKey;
  return {
    ok: true,
    folder: { id: item.id ?? ref.folderId, name: item.name ?? "", ...(resourceKey ? { resourceKey } : {}) },
  };
}

/** What a Drive error while reading the source folder (resolving or listing it) means for the import. */
export function sourceProblemFor(error: DriveError, folderId: string): SourceProblem {
  switch (error.kind) {
    case DriveErrorKind.Configuration:
      return { reason: Reason.ApiKeyInvalid, message: error.message, retryable: false };
    case DriveErrorKind.NotFound:
    case DriveErrorKind.AccessDenied:
      return folderNotFound(folderId, `Drive answered: ${error.message}`);
    case DriveErrorKind.DailyQuota:
    case DriveErrorKind.RateLimit:
      return {
        reason: Reason.DriveQuotaExceeded,
        message: error.message,
        retryable: true,
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      };
    default:
      return { reason: Reason.DriveUnavailable, message: error.message, retryable: error.retryable };
  }
}

function folderNotFound(folderId: string, detail: string): SourceProblem {
  return {
    reason: Reason.FolderNotFound,
    message:
      `Drive folder ${folderId} cannot be read with this API key: it is not shared as 'Anyone with the link', ` +
      `the id is wrong, or the link's resourcekey is missing (paste the whole link, ?resourcekey=... included); ${detail}`,
    retryable: false,
  };
}
