import type { drive_v3 } from "@googleapis/drive";
import type { DriveAttempt } from "./call.ts";
import type { DriveClient } from "./client.ts";
import { DriveErrorKind, type DriveError } from "./errors.ts";
import { driveFileFields, toDriveFile, type DriveFile } from "./drive-file.ts";
import { driveMimeTypes } from "./mime.ts";
import { resourceKeyHeaders, type DriveItemRef } from "./resource-keys.ts";

/** What a walk yields: files as it meets them, shortcuts whose target is gone, and progress. */
export type WalkEvent =
  | { kind: "file"; file: DriveFile; folderPath: string }
  | {
      kind: "dangling-shortcut";
      shortcutId: string;
      name: string;
      targetId: string | null;
      folderPath: string;
    }
  | {
      kind: "folder-listed";
      folderId: string;
      folderPath: string;
      foldersListed: number;
      foldersPending: number;
    };

export interface WalkOptions {
  /** Descend into subfolders (and folder shortcuts); false lists the root's direct children only. Default true. */
  recursive?: boolean;
  /** Folders listed by one query (`'a' in parents or 'b' in parents ...`). Default 50, like rclone. */
  batchSize?: number;
  /** Items per page, at most 1000 (Drive's maximum). */
  pageSize?: number;
  signal?: AbortSignal;
}

/** `fields` of a listing: the page token, and for each item what the operator, worker and walker need. */
export const listFields = `nextPageToken,incompleteSearch,files(${driveFileFields})`;

interface PendingFolder extends DriveItemRef {
  path: string;
}

/**
 * Walks a folder tree breadth-first and streams what it finds, one page at a time (a 100,000-file tree
 * never sits in memory: only the folders, the ids the current folder batch yielded, and the ids of the few
 * files a walk can meet twice do).
 *
 * - Folders are listed up to `batchSize` at a time with one `or` query; when such a batch comes back
 *   empty (Drive sometimes answers nothing for them), each of its folders is listed alone, and if that
 *   finds items the rest of the walk lists folder by folder (rclone's workaround).
 * - `folderPath` joins folder names from the root (the root is ""); a `/` inside a name becomes `／`
 *   (U+FF0F, as rclone encodes it) so the path splits back into the right names.
 * - A shortcut to a file yields the target's bytes and checksums under the shortcut's name and folder;
 *   a shortcut to a folder is walked once under the shortcut's name (a visited set stops loops); a
 *   shortcut whose target is gone, trashed or unreadable yields `dangling-shortcut`.
 * - Docs and other Google Apps items are yielded with `downloadable: false`; trashed items are left out.
 * - Each file id is yielded once, even when shortcuts or several parents reach it again.
 */
export async function* walkFolder(
  drive: DriveClient,
  root: DriveItemRef,
  options: WalkOptions = {},
): AsyncGenerator<WalkEvent, void, undefined> {
  const recursive = options.recursive ?? true;
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
  let batchSize = Math.max(1, options.batchSize ?? 50);
  const pending: PendingFolder[] = [{ id: root.id, resourceKey: root.resourceKey ?? null, path: "" }];
  const visitedFolders = new Set([root.id]);
  // A file can be met twice only through a shortcut or through several parents (older files; Drive has
  // allowed one parent since 2020), so only those ids are kept for the whole walk, not every id yielded.
  const yieldedThroughShortcuts = new Set<string>();
  const yieldedWithParents = new Set<string>();
  let foldersListed = 0;

  const enqueueFolder = (folder: PendingFolder): void => {
    if (!recursive || visitedFolders.has(folder.id)) return;
    visitedFolders.add(folder.id);
    pending.push(folder);
  };

  /** Whether the walk already yielded file `id` (this batch, through a shortcut, or from another parent). */
  const metBefore = (id: string, batchFiles: Set<string>): boolean =>
    batchFiles.has(id) || yieldedThroughShortcuts.has(id) || yieldedWithParents.has(id);

  /** Whether a file met in a listing (not through a shortcut) is new to this walk; notes it if so. */
  const firstMeeting = (id: string, parents: number, batchFiles: Set<string>): boolean => {
    if (metBefore(id, batchFiles)) return false;
    if (parents > 1) yieldedWithParents.add(id);
    batchFiles.add(id);
    return true;
  };

  async function* visit(
    item: drive_v3.Schema$File,
    folder: PendingFolder,
    batchFiles: Set<string>,
  ): AsyncGenerator<WalkEvent> {
    const id = item.id;
    if (item.trashed === true || typeof id !== "string") return;
    const name = item.name ?? "";
    if (item.mimeType === driveMimeTypes.folder) {
      enqueueFolder({ id, resourceKey: item.resourceKey ?? null, path: childPath(folder.path, name) });
    } else if (item.mimeType === driveMimeTypes.shortcut) {
      yield* visitShortcut(id, name, item.shortcutDetails ?? {}, folder, batchFiles);
    } else if (firstMeeting(id, item.parents?.length ?? 1, batchFiles)) {
      yield { kind: "file", file: toDriveFile(id, item, name, null), folderPath: folder.path };
    }
  }

  async function* visitShortcut(
    shortcutId: string,
    name: string,
    details: drive_v3.Schema$File["shortcutDetails"] & object,
    folder: PendingFolder,
    batchFiles: Set<string>,
  ): AsyncGenerator<WalkEvent> {
    const targetId = details.targetId ?? null;
    const dangling: WalkEvent = {
      kind: "dangling-shortcut",
      shortcutId,
      name,
      targetId,
      folderPath: folder.path,
    };
    if (targetId === null) {
      yield dangling;
      return;
    }
    // Without recursion subfolders are not walked, so neither are folder shortcuts: no need to look.
    if (!recursive && details.targetMimeType === driveMimeTypes.folder) return;
    if (visitedFolders.has(targetId) || metBefore(targetId, batchFiles)) return;
    const targetResourceKey = details.targetResourceKey ?? null;
    const target = await getShortcutTarget({ id: targetId, resourceKey: targetResourceKey });
    if (target === undefined || target.trashed === true) {
      yield dangling;
    } else if (target.mimeType === driveMimeTypes.folder) {
      const resourceKey = target.resourceKey ?? targetResourceKey;
      enqueueFolder({ id: targetId, resourceKey, path: childPath(folder.path, name) });
    } else if (!(target.parents ?? []).some((parent) => visitedFolders.has(parent))) {
      // A target in a folder of the walk is (or will be) yielded from there, under its own name.
      yieldedThroughShortcuts.add(targetId);
      yield { kind: "file", file: toDriveFile(targetId, target, name, shortcutId), folderPath: folder.path };
    }
  }

  /** The shortcut's target, or undefined when Drive no longer shows it to this key. */
  async function getShortcutTarget(target: DriveItemRef): Promise<drive_v3.Schema$File | undefined> {
    try {
      const response = await drive.call(
        "files.get",
        ({ signal }) =>
          drive.files.get(
            { fileId: target.id, fields: driveFileFields, supportsAllDrives: true },
            { signal, headers: resourceKeyHeaders([target]) },
          ),
        options,
      );
      return response.data;
    } catch (thrown) {
      const error = thrown as DriveError;
      if (error.kind === DriveErrorKind.NotFound || error.kind === DriveErrorKind.AccessDenied)
        return undefined;
      throw error;
    }
  }

  /**
   * Lists the children of `folders` page by page (until no nextPageToken: pages may be short or empty
   * before the end; one page ahead of the caller), visiting each child in the folder it belongs to.
   * Returns whether Drive answered anything and whether it called the answer complete.
   */
  async function* listChildren(
    folders: readonly PendingFolder[],
    batchFiles: Set<string>,
  ): AsyncGenerator<WalkEvent, ListingOutcome> {
    const byId = new Map(folders.map((folder) => [folder.id, folder]));
    const q = `(${folders.map((folder) => `'${quote(folder.id)}' in parents`).join(" or ")}) and trashed = false`;
    const headers = resourceKeyHeaders(folders);
    const outcome: ListingOutcome = { items: 0, incomplete: false };
    const [firstFolder] = folders;
    if (firstFolder === undefined) return outcome;
    // Stops a prefetched page nobody will read (the caller stopped iterating early).
    const abandon = new AbortController();
    const signal =
      options.signal === undefined ? abandon.signal : AbortSignal.any([options.signal, abandon.signal]);
    const fetchPage = (pageToken: string | undefined): Promise<drive_v3.Schema$FileList> => {
      const params: drive_v3.Params$Resource$Files$List = {
        q,
        pageSize,
        fields: listFields,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
        ...(pageToken === undefined ? {} : { pageToken }),
      };
      const list = (attempt: DriveAttempt) => drive.files.list(params, { signal: attempt.signal, headers });
      const data = drive.call("files.list", list, { signal }).then((response) => response.data);
      data.catch(() => undefined); // an abandoned prefetch must not surface as an unhandled rejection
      return data;
    };
    try {
      for (
        let next: Promise<drive_v3.Schema$FileList> | undefined = fetchPage(undefined);
        next !== undefined;
      ) {
        const page: drive_v3.Schema$FileList = await next;
        // Ask for the next page now, so Drive's latency overlaps with the caller's work on this one.
        next = page.nextPageToken ? fetchPage(page.nextPageToken) : undefined;
        outcome.incomplete ||= page.incompleteSearch === true;
        for (const item of page.files ?? []) {
          outcome.items++;
          // An item with several parents in this batch belongs to the first of them.
          const parent = (item.parents ?? [])
            .map((id) => byId.get(id))
            .find((folder) => folder !== undefined);
          yield* visit(item, parent ?? firstFolder, batchFiles);
        }
      }
    } finally {
      abandon.abort();
    }
    return outcome;
  }

  while (pending.length > 0) {
    const batch = pending.splice(0, batchSize);
    // The files this batch yielded, so that listing its folders again one by one (below) repeats none.
    const batchFiles = new Set<string>();
    const outcome = yield* listChildren(batch, batchFiles);
    if (batch.length > 1 && (outcome.items === 0 || outcome.incomplete)) {
      // Drive sometimes answers nothing (or admits an incomplete answer) for an `or` batch: ask each
      // folder alone. If that finds anything, the batches cannot be trusted for this tree any more.
      let itemsAlone = 0;
      for (const folder of batch) itemsAlone += (yield* listChildren([folder], batchFiles)).items;
      if (outcome.items === 0 && itemsAlone > 0) batchSize = 1;
    }
    for (const folder of batch) {
      foldersListed++;
      yield {
        kind: "folder-listed",
        folderId: folder.id,
        folderPath: folder.path,
        foldersListed,
        foldersPending: pending.length,
      };
    }
  }
}

interface ListingOutcome {
  items: number;
  incomplete: boolean;
}

function childPath(parentPath: string, name: string): string {
  const segment = name.replaceAll("/", "／");
  return parentPath === "" ? segment : `${parentPath}/${segment}`;
}

/** Escapes a value for a single-quoted string in Drive's query language. */
function quote(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
}
