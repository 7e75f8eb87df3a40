/**
 * files.get?alt=media: streams a file's bytes (whole or one Range) from its layout, with the download
 * faults: a bandwidth cap, a connection cut after K bytes, and bytes that do not match the md5.
 */
import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { contentLayout } from "./content.ts";
import { DriveApiError } from "./errors.ts";
import { revisionSeed } from "./file-resource.ts";
import { byteRange } from "./layout.ts";
import type { RequestStats } from "./stats.ts";
import type { DriveItem } from "./tree.ts";

export interface DownloadOptions {
  rangeHeader: string | undefined;
  bandwidthBytesPerSecond: number | undefined;
  cutAfterBytes: number | undefined;
  wrongMd5: boolean;
}

/** Writes per second when throttled: small enough steps to look smooth, few enough to stay cheap. */
const THROTTLE_STEPS_PER_SECOND = 20;

/** Streams an item's bytes; throws Drive's error for items without bytes or an unsatisfiable range. */
export async function sendMedia(
  res: ServerResponse,
  item: Readonly<DriveItem>,
  options: DownloadOptions,
  stats: RequestStats,
): Promise<void> {
  if (!item.content) throw new DriveApiError("fileNotDownloadable");
  if (!item.canDownload) throw new DriveApiError("cannotDownloadFile");
  const layout = contentLayout(item.content, revisionSeed(item), options.wrongMd5);
  const range = parseRange(options.rangeHeader, layout.size);
  if (range === "unsatisfiable") {
    res.setHeader("content-range", `bytes */${layout.size}`);
    throw new DriveApiError("rangeNotSatisfiable");
  }
  const { start, end } = range ?? { start: 0, end: layout.size };
  res.writeHead(range ? 206 : 200, {
    "content-type": item.mimeType,
    "content-length": end - start,
    "content-disposition": "attachment",
    "cache-control": "private, max-age=0, must-revalidate",
    ...(range ? { "content-range": `bytes ${start}-${end - 1}/${layout.size}` } : {}),
  });
  const cutAt =
    options.cutAfterBytes !== undefined && options.cutAfterBytes < end - start
      ? options.cutAfterBytes
      : undefined;
  await writeBody(res, byteRange(layout, start, end), options.bandwidthBytesPerSecond, cutAt, stats);
}

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range as [start, end); undefined to send everything. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  // A server may ignore multiple or malformed ranges (RFC 9110 §14.2); the fake then sends everything.
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "") {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  const end = last === "" ? size : Math.min(size, Number(last) + 1);
  if (last !== "" && Number(last) < start) return undefined;
  return start >= size ? "unsatisfiable" : { start, end };
}

async function writeBody(
  res: ServerResponse,
  chunks: Iterable<Buffer>,
  bytesPerSecond: number | undefined,
  cutAt: number | undefined,
  stats: RequestStats,
): Promise<void> {
  const started = performance.now();
  const step =
    bytesPerSecond === undefined
      ? Infinity
      : Math.max(1024, Math.floor(bytesPerSecond / THROTTLE_STEPS_PER_SECOND));
  let sent = 0;
  for (const chunk of chunks) {
    for (let offset = 0; offset < chunk.length; offset += step) {
      if (res.destroyed) return;
      let piece = step >= chunk.length ? chunk : chunk.subarray(offset, offset + step);
      if (cutAt !== undefined && sent + piece.length >= cutAt) {
        piece = piece.subarray(0, cutAt - sent);
        // Let the bytes before the cut reach the client, then drop the connection mid-body.
        await new Promise<void>((resolve) => res.write(piece, () => resolve()));
        stats.recordBytes(piece.length);
        stats.recordCut();
        res.destroy();
        return;
      }
      if (!res.write(piece)) await drainedOrClosed(res);
      sent += piece.length;
      stats.recordBytes(piece.length);
      if (bytesPerSecond !== undefined) {
        const wait = started + (sent / bytesPerSecond) * 1000 - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
  }
  res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
