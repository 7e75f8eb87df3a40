/** S3 allows 1024 bytes of key; we keep room for the prefix and stay well under. */
const maxSegmentBytes = 120;
const maxKeyBytes = 1024;

/**
 * Makes one path segment safe and readable: NFC, no separators or control characters, no `.`/`..`,
 * bounded length. Never empty.
 */
export function sanitizeSegment(segment: string): string {
  let clean = segment
    .normalize("NFC")
    .replace(/[\p{Cc}/\\]/gu, "_")
    .trim();
  if (clean === "" || /^\.+$/.test(clean)) clean = clean.replaceAll(".", "_") || "_";
  return truncateUtf8(clean, maxSegmentBytes);
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = "";
  for (const char of text) {
    if (Buffer.byteLength(out + char) > maxBytes) break;
    out += char;
  }
  return out;
}

/** The default prefix, `<namespace>/<name>/`. */
export function defaultObjectPrefix(namespace: string, name: string): string {
  return `${namespace}/${name}/`;
}

/**
 * The object key of one Drive file: `<prefix><folder path>/<file id>-<name>`. Deterministic (a retry
 * writes the same key), readable, collision-free (Drive allows duplicate names; ids are unique) and
 * contained (no segment can be `..`, so no name escapes the prefix).
 */
export function objectKeyFor(prefix: string, folderPath: string, fileId: string, fileName: string): string {
  const folders = folderPath
    .split("/")
    .filter((segment) => segment !== "")
    .map(sanitizeSegment);
  const leaf = `${sanitizeSegment(fileId)}-${sanitizeSegment(fileName)}`;
  const key = [...folders, leaf].join("/");
  const full = `${prefix}${key}`;
  if (Buffer.byteLength(full) <= maxKeyBytes) return full;
  // A very deep tree: keep the prefix and the file's own segment, which alone are unique.
  return `${prefix}${leaf}`;
}
