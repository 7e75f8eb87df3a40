/** Opaque page tokens: a resume position bound to the query it came from, as Drive's are. */
import { DriveApiError } from "./errors.ts";

const PREFIX = "~!!~";

/** A token resuming at `position` of the listing named by `scope`. */
export function encodePageToken(position: number, scope: string): string {
  return PREFIX + Buffer.from(`${scope}:${position}`).toString("base64url");
}

/** The position a token resumes at; a token from another query (or none of ours) is Drive's 400. */
export function decodePageToken(token: string, scope: string): number {
  const decoded = token.startsWith(PREFIX)
    ? Buffer.from(token.slice(PREFIX.length), "base64url").toString()
    : "";
  const separator = decoded.lastIndexOf(":");
  const position = Number(decoded.slice(separator + 1));
  if (
    separator < 0 ||
    decoded.slice(0, separator) !== scope ||
    !Number.isSafeInteger(position) ||
    position < 0
  ) {
    throw new DriveApiError("invalidParameter", "pageToken");
  }
  return position;
}
