/** An item and, for link-shared items from before 2021, the resource key Drive wants alongside its id. */
export interface DriveItemRef {
  id: string;
  resourceKey?: string | null;
}

/**
 * Request headers carrying the resource keys of `items` (`X-Goog-Drive-Resource-Keys: id/key,...`);
 * without it Drive answers 404 for such items. Empty when no item has a key.
 */
export function resourceKeyHeaders(items: readonly DriveItemRef[]): Record<string, string> {
  const pairs = items
    .filter((item) => item.resourceKey !== undefined && item.resourceKey !== null && item.resourceKey !== "")
    .map((item) => `${item.id}/${item.resourceKey}`);
  return pairs.length === 0 ? {} : { "X-Goog-Drive-Resource-Keys": pairs.join(",") };
}
