/** Drive's `orderBy`: comma-separated keys, each optionally followed by `desc`. */
import { DriveApiError } from "./errors.ts";
import { contentSize } from "./content.ts";
import { FOLDER_MIME_TYPE, type DriveItem } from "./tree.ts";

type Compare = (a: Readonly<DriveItem>, b: Readonly<DriveItem>) => number;

const byName = (a: Readonly<DriveItem>, b: Readonly<DriveItem>): number => a.name.localeCompare(b.name);
const byTime = (a: Readonly<DriveItem>, b: Readonly<DriveItem>): number => a.modifiedTime - b.modifiedTime;
const quota = (item: Readonly<DriveItem>): number => (item.content ? contentSize(item.content) : 0);
const unordered = (): number => 0;

/** Every key Drive accepts; the ones about a signed-in user's activity order nothing here. */
const KEYS: Record<string, Compare> = {
  folder: (a, b) => Number(b.mimeType === FOLDER_MIME_TYPE) - Number(a.mimeType === FOLDER_MIME_TYPE),
  name: byName,
  name_natural: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
  createdTime: (a, b) => a.createdTime - b.createdTime,
  modifiedTime: byTime,
  recency: byTime,
  quotaBytesUsed: (a, b) => quota(a) - quota(b),
  starred: unordered,
  modifiedByMeTime: unordered,
  sharedWithMeTime: unordered,
  viewedByMeTime: unordered,
};

/** A comparator for an `orderBy` value; throws Drive's 400 for an unknown key. */
export function parseOrderBy(text: string): Compare {
  const comparators = text.split(",").map((part) => {
    const [key = "", direction, ...rest] = part.trim().split(/\s+/);
    const compare = KEYS[key];
    if (!compare || rest.length > 0 || (direction !== undefined && direction !== "desc")) {
      throw new DriveApiError("invalidParameter", "orderBy");
    }
    return direction === "desc" ? (a: Readonly<DriveItem>, b: Readonly<DriveItem>) => compare(b, a) : compare;
  });
  return (a, b) => {
    for (const compare of comparators) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return 0;
  };
}
