/**
 * Whether `mimeType` matches any of `patterns`: exact (`image/png`) or a whole family (`image/*`), as the
 * CRD's `mimeTypes` allows. Case and parameters (`; charset=...`) are ignored; no patterns match nothing.
 */
export function matchesMimeTypes(mimeType: string, patterns: readonly string[]): boolean {
  const [type, subtype] = essence(mimeType).split("/");
  if (type === undefined || type === "" || subtype === undefined || subtype === "") return false;
  return patterns.some((pattern) => {
    const [patternType, patternSubtype] = essence(pattern).split("/");
    return (
      (patternType === type || patternType === "*") && (patternSubtype === subtype || patternSubtype === "*")
    );
  });
}

function essence(mimeType: string): string {
  return (mimeType.split(";")[0] ?? "").trim().toLowerCase();
}

/** Drive's own MIME types that the walker treats specially. */
export const driveMimeTypes = {
  folder: "application/vnd.google-apps.folder",
  shortcut: "application/vnd.google-apps.shortcut",
} as const;

/** Google Docs editor files and other `application/vnd.google-apps.*` items: no bytes to download. */
export function isGoogleAppsType(mimeType: string): boolean {
  return mimeType.startsWith("application/vnd.google-apps.");
}
