/**
 * The fake's Drive: folders, files, shortcuts and Docs items, with their parents, resource keys, trash
 * state and content revisions. Items sit in insertion order and under their parent, so listing a folder
 * or the whole drive resumes from a position without sorting or copying.
 */
import { contentSize, type FileContent } from "./content.ts";
import { createIdSource, type IdSource } from "./ids.ts";
import { IMAGE_MIME_TYPES, minimumImageSize, type ImageSpec } from "./images.ts";

export const FOLDER_MIME_TYPE = "application/vnd.google-apps.folder";
export const SHORTCUT_MIME_TYPE = "application/vnd.google-apps.shortcut";
export const DOCUMENT_MIME_TYPE = "application/vnd.google-apps.document";
const DEFAULT_FILE_MIME_TYPE = "application/octet-stream";

/** One item as the fake holds it. */
export interface DriveItem {
  readonly id: string;
  name: string;
  mimeType: string;
  parentId: string | undefined;
  createdTime: number;
  modifiedTime: number;
  /** Trashed itself, as opposed to inside a trashed folder. */
  explicitlyTrashed: boolean;
  trashed: boolean;
  resourceKey: string | undefined;
  description: string | undefined;
  canDownload: boolean;
  /** An old file: Drive lists md5Checksum only, no sha1Checksum or sha256Checksum. */
  legacyChecksums: boolean;
  /** Bumped by every content change; names the bytes served. */
  revision: number;
  content: FileContent | undefined;
  shortcut: { targetId: string; targetMimeType: string; targetResourceKey: string | undefined } | undefined;
}

type Time = Date | string | number;

/** What every kind of item may set. */
export interface ItemSpec {
  name: string;
  /** Omitted: a top-level item, shared on its own (a folder link's target). */
  parentId?: string;
  id?: string;
  /** A key this item needs in X-Goog-Drive-Resource-Keys; `true` draws one. */
  resourceKey?: string | true;
  createdTime?: Time;
  modifiedTime?: Time;
  trashed?: boolean;
  description?: string;
}

export interface FileSpec extends ItemSpec {
  /** Defaults to the image format's type, else application/octet-stream. */
  mimeType?: string;
  /** A real JPEG or PNG of `size` bytes (default: the smallest that fits). */
  image?: ImageSpec;
  /** Exactly these bytes. */
  bytes?: Uint8Array;
  /** Size in bytes; without `image` or `bytes`, the file holds seeded filler. */
  size?: number;
  canDownload?: boolean;
  legacyChecksums?: boolean;
}

export interface ShortcutSpec extends ItemSpec {
  targetId: string;
  /** Needed only when the target does not exist (a dangling shortcut). */
  targetMimeType?: string;
}

export interface DocSpec extends ItemSpec {
  /** Any application/vnd.google-apps.* type; a Document by default. */
  mimeType?: string;
}

/** A new content for replaceContent; omitted fields keep the current look and size. */
export interface ContentChange {
  image?: ImageSpec;
  bytes?: Uint8Array;
  size?: number;
}

export interface FakeTreeOptions {
  /** Clock for default timestamps, in epoch milliseconds. */
  now?: () => number;
  /** Seed of the generated ids and resource keys. */
  idSeed?: string;
}

/** The fake's tree of items. Mutations take effect on the next request. */
export class FakeTree {
  readonly #items = new Map<string, DriveItem>();
  readonly #children = new Map<string, string[]>();
  #order: string[] = [];
  readonly #now: () => number;
  readonly #ids: IdSource;

  constructor(options: FakeTreeOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#ids = createIdSource(options.idSeed ?? "fake-drive");
  }

  /** Number of items. */
  get size(): number {
    return this.#items.size;
  }

  /** Adds a folder; returns its id. */
  addFolder(spec: ItemSpec): string {
    return this.#add(spec, { mimeType: FOLDER_MIME_TYPE });
  }

  /** Adds a binary file: a real image, given bytes, or filler of a size; returns its id. */
  addFile(spec: FileSpec): string {
    const content = fileContent(spec);
    const mimeType =
      spec.mimeType ?? (spec.image ? IMAGE_MIME_TYPES[spec.image.format] : DEFAULT_FILE_MIME_TYPE);
    return this.#add(spec, {
      mimeType,
      content,
      canDownload: spec.canDownload ?? true,
      legacyChecksums: spec.legacyChecksums ?? false,
    });
  }

  /** Adds a shortcut to `targetId`, which may be missing (dangling) or an ancestor (a loop); returns its id. */
  addShortcut(spec: ShortcutSpec): string {
    const target = this.#items.get(spec.targetId);
    const targetMimeType = target?.mimeType ?? spec.targetMimeType;
    if (targetMimeType === undefined) {
      throw new Error(
        `shortcut target ${spec.targetId} does not exist: give targetMimeType to make it dangle`,
      );
    }
    return this.#add(spec, {
      mimeType: SHORTCUT_MIME_TYPE,
      shortcut: { targetId: spec.targetId, targetMimeType, targetResourceKey: target?.resourceKey },
    });
  }

  /** Adds a Google Docs item (no bytes to download); returns its id. */
  addDoc(spec: DocSpec): string {
    const mimeType = spec.mimeType ?? DOCUMENT_MIME_TYPE;
    if (!mimeType.startsWith("application/vnd.google-apps.") || mimeType === FOLDER_MIME_TYPE) {
      throw new Error(
        `a Docs item has an application/vnd.google-apps.* type other than folder, got ${mimeType}`,
      );
    }
    return this.#add(spec, { mimeType });
  }

  /** The item with this id. */
  get(id: string): Readonly<DriveItem> | undefined {
    return this.#items.get(id);
  }

  /** Ids of a folder's children, in insertion order. */
  children(folderId: string): readonly string[] {
    return this.#children.get(folderId) ?? [];
  }

  /** Every id, in insertion order. */
  allIds(): readonly string[] {
    return this.#order;
  }

  /** Ids of the top-level items. */
  roots(): string[] {
    return this.#order.filter((id) => this.#items.get(id)?.parentId === undefined);
  }

  /** Moves an item (and so everything under it) to the trash. */
  trash(id: string): void {
    const item = this.#require(id);
    item.explicitlyTrashed = true;
    this.#propagateTrash(item);
  }

  /** Takes an item out of the trash (its contents stay trashed if an ancestor still is). */
  untrash(id: string): void {
    const item = this.#require(id);
    item.explicitlyTrashed = false;
    this.#propagateTrash(item);
  }

  /** New bytes for a file: a new md5 and a later modifiedTime, optionally a new look or size. */
  replaceContent(id: string, change: ContentChange = {}): void {
    const item = this.#require(id);
    if (!item.content) throw new Error(`${id} is a ${item.mimeType}, not a file with content`);
    if (change.image || change.bytes || change.size !== undefined) {
      const current = item.content;
      item.content = fileContent({
        name: item.name,
        image: change.image ?? (current.kind === "image" && !change.bytes ? current.spec : undefined),
        bytes: change.bytes,
        size: change.size ?? (change.bytes ? undefined : contentSize(current)),
      });
    }
    item.revision += 1;
    item.modifiedTime = Math.max(this.#now(), item.modifiedTime + 1);
  }

  /** Makes an item need a resource key (drawn when not given); returns the key. */
  setResourceKey(id: string, key: string = this.#ids.resourceKey()): string {
    this.#require(id).resourceKey = key;
    return key;
  }

  /** Lets an item be reached without a resource key. */
  clearResourceKey(id: string): void {
    this.#require(id).resourceKey = undefined;
  }

  /** Deletes an item and everything under it; shortcuts to them now dangle. */
  remove(id: string): void {
    const item = this.#require(id);
    const removed = new Set<string>();
    const visit = (itemId: string): void => {
      removed.add(itemId);
      for (const child of this.#children.get(itemId) ?? []) visit(child);
      this.#children.delete(itemId);
      this.#items.delete(itemId);
    };
    visit(id);
    if (item.parentId !== undefined) {
      const siblings = this.#children.get(item.parentId) ?? [];
      siblings.splice(siblings.indexOf(id), 1);
    }
    this.#order = this.#order.filter((itemId) => !removed.has(itemId));
  }

  /** Removes every item. */
  clear(): void {
    this.#items.clear();
    this.#children.clear();
    this.#order = [];
  }

  #add(spec: ItemSpec, kind: Partial<DriveItem> & { mimeType: string }): string {
    const parent = spec.parentId === undefined ? undefined : this.#require(spec.parentId);
    if (parent && parent.mimeType !== FOLDER_MIME_TYPE) {
      throw new Error(`parent ${parent.id} is a ${parent.mimeType}, not a folder`);
    }
    const id = spec.id ?? this.#freshId();
    if (this.#items.has(id)) throw new Error(`an item with id ${id} already exists`);
    const createdTime = toMillis(spec.createdTime) ?? this.#now();
    const explicitlyTrashed = spec.trashed ?? false;
    const item: DriveItem = {
      id,
      name: spec.name,
      mimeType: kind.mimeType,
      parentId: parent?.id,
      createdTime,
      modifiedTime: toMillis(spec.modifiedTime) ?? createdTime,
      explicitlyTrashed,
      trashed: explicitlyTrashed || (parent?.trashed ?? false),
      resourceKey: spec.resourceKey === true ? this.#ids.resourceKey() : spec.resourceKey,
      description: spec.description,
      canDownload: kind.canDownload ?? true,
      legacyChecksums: kind.legacyChecksums ?? false,
      revision: 1,
      content: kind.content,
      shortcut: kind.shortcut,
    };
    this.#items.set(id, item);
    this.#order.push(id);
    if (parent) {
      const siblings = this.#children.get(parent.id);
      if (siblings) siblings.push(id);
      else this.#children.set(parent.id, [id]);
    }
    return id;
  }

  #freshId(): string {
    let id = this.#ids.fileId();
    while (this.#items.has(id)) id = this.#ids.fileId();
    return id;
  }

  #require(id: string): DriveItem {
    const item = this.#items.get(id);
    if (!item) throw new Error(`no item with id ${id}`);
    return item;
  }

  #propagateTrash(item: DriveItem): void {
    const parentTrashed = item.parentId === undefined ? false : this.#require(item.parentId).trashed;
    const visit = (current: DriveItem, ancestorTrashed: boolean): void => {
      current.trashed = current.explicitlyTrashed || ancestorTrashed;
      for (const child of this.#children.get(current.id) ?? []) visit(this.#require(child), current.trashed);
    };
    visit(item, parentTrashed);
  }
}

function fileContent(spec: FileSpec): FileContent {
  if (spec.bytes) {
    if (spec.image) throw new Error(`file "${spec.name}": give image or bytes, not both`);
    if (spec.size !== undefined && spec.size !== spec.bytes.length) {
      throw new Error(
        `file "${spec.name}": size ${spec.size} differs from the ${spec.bytes.length} bytes given`,
      );
    }
    return { kind: "bytes", bytes: Buffer.from(spec.bytes) };
  }
  if (spec.image) {
    const minimum = minimumImageSize(spec.image);
    const size = spec.size ?? minimum;
    if (size < minimum) {
      throw new Error(
        `file "${spec.name}": a ${spec.image.width}x${spec.image.height} ${spec.image.format} needs at least ${minimum} bytes, got ${size}`,
      );
    }
    return { kind: "image", spec: spec.image, size };
  }
  if (spec.size === undefined) throw new Error(`file "${spec.name}": give image, bytes or size`);
  if (!Number.isSafeInteger(spec.size) || spec.size < 0) {
    throw new Error(`file "${spec.name}": size must be a whole number of bytes, got ${spec.size}`);
  }
  return { kind: "filler", size: spec.size };
}

function toMillis(time: Time | undefined): number | undefined {
  if (time === undefined) return undefined;
  const millis = time instanceof Date ? time.getTime() : typeof time === "number" ? time : Date.parse(time);
  if (Number.isNaN(millis)) throw new Error(`not a time: ${String(time)}`);
  return millis;
}
