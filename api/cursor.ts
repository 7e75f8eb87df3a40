import { ApiErrors } from "./errors.ts";

/**
 * Opaque keyset cursors: the last row's key, tagged with what it pages through, base64url-encoded so
 * clients pass it back unchanged rather than build one. Anything else is refused with INVALID_CURSOR.
 */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(JSON.stringify([kind, key])).toString("base64url");
}

/** The key inside a cursor of `kind`, if `accept` agrees it is one; otherwise INVALID_CURSOR. */
export function decodeCursor(kind: string, cursor: string, accept: (key: string) => boolean): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw ApiErrors.invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== kind) throw ApiErrors.invalidCursor();
  const key: unknown = decoded[1];
  if (typeof key !== "string" || !accept(key)) throw ApiErrors.invalidCursor();
  return key;
}
