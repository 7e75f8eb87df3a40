/** A Drive folder named by a pasted link: its id and, for links shared before 2021, its resource key. */
export interface DriveFolderRef {
  folderId: string;
  resourceKey?: string;
}

export type FolderUrlResult = { ok: true; folder: DriveFolderRef } | { ok: false; message: string };

/**
 * Every folder link form users paste (DRIVE.md), or a bare id. The CRD's CEL rule uses this very pattern
 * (a unit test holds them equal), so kubectl and the REST API accept exactly the same links.
 */
export const folderLinkPattern =
  "^(https://drive[.]google[.]com/(drive/(u/[0-9]+/)?folders/[A-Za-z0-9_-]{10,}/?([?#].*)?|(open|folderview)[?]([^#]*&)?id=[A-Za-z0-9_-]{10,}([&#].*)?)|[A-Za-z0-9_-]{10,})$";

const folderLink = new RegExp(folderLinkPattern);
const bareId = /^[A-Za-z0-9_-]{10,}$/;
const folderPath = /\/folders\/([A-Za-z0-9_-]{10,})/;

// The messages match the CRD's CEL rules word for word, so kubectl and the REST API say the same thing.
export const folderUrlMessages = {
  fileLink:
    "folderUrl is a link to a single file (/file/d/...); ImageSync imports a folder: share the folder and paste its link (https://drive.google.com/drive/folders/<id>)",
  notAFolderLink:
    "folderUrl must be a Google Drive folder link (https://drive.google.com/drive/folders/<id>, open?id=<id> or folderview?id=<id>) or a bare folder id of 10 or more letters, digits, '-' or '_'",
} as const;

/** Checks a pasted folder link as the CRD does, then reads the folder id and resource key out of it. */
export function parseFolderUrl(input: string): FolderUrlResult {
  if (input.includes("/file/d/")) return { ok: false, message: folderUrlMessages.fileLink };
  if (!folderLink.test(input)) return { ok: false, message: folderUrlMessages.notAFolderLink };
  if (bareId.test(input)) return { ok: true, folder: { folderId: input } };
  const url = new URL(input);
  const folderId = folderPath.exec(url.pathname)?.[1] ?? url.searchParams.get("id") ?? "";
  const resourceKey = url.searchParams.get("resourcekey");
  return { ok: true, folder: resourceKey === null ? { folderId } : { folderId, resourceKey } };
}
