/** Resource-key gating: an item with a key is reachable only when the request names it in the header. */
import type { DriveItem } from "./tree.ts";

export const RESOURCE_KEYS_HEADER = "x-goog-drive-resource-keys";

/** The id → key pairs of an `X-Goog-Drive-Resource-Keys: id/key[,id/key]` header. */
export function parseResourceKeys(header: string | string[] | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",")) {
    const slash = pair.indexOf("/");
    if (slash > 0) keys.set(pair.slice(0, slash).trim(), pair.slice(slash + 1).trim());
  }
  return keys;
}

/** Whether a request holding `keys` may reach the item directly (get, download, list its children). */
export function isReachable(item: Readonly<DriveItem>, keys: ReadonlyMap<string, string>): boolean {
  return item.resourceKey === undefined || keys.get(item.id) === item.resourceKey;
}
