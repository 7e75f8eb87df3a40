/** Writing JSON answers the way Google's front end does: UTF-8 JSON, gzip when the client accepts it. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { DriveApiError } from "./errors.ts";

const gzipAsync = promisify(gzip);
/** Below this, compressing costs more than it saves (Google leaves small bodies plain too). */
const GZIP_MIN_BYTES = 1024;

/** Sends a JSON body with a status. */
export async function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  let payload = Buffer.from(JSON.stringify(body));
  const compress = payload.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
  if (compress) payload = await gzipAsync(payload, { level: 1 });
  if (res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    vary: "Origin, X-Origin, Referer",
    "content-length": payload.length,
    ...(compress ? { "content-encoding": "gzip" } : {}),
    ...headers,
  });
  res.end(payload);
}

/** Sends a Drive error body, with Retry-After when the error carries one. */
export function sendDriveError(
  req: IncomingMessage,
  res: ServerResponse,
  error: DriveApiError,
): Promise<void> {
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) };
  return sendJson(req, res, error.code, error.body(), headers);
}
