/**
 * The HTTP front: routes /drive/v3/files and /drive/v3/files/:id like Drive, after Drive's gates in
 * Drive's order (method, API key, per-key quota), then injected faults, then the real work.
 * /_fake/* goes to the control endpoint.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChecksumCalculator } from "./checksums.ts";
import { CONTROL_PREFIX } from "./control.ts";
import { sendMedia } from "./download.ts";
import { DriveApiError } from "./errors.ts";
import type { FaultInjector, Route } from "./faults.ts";
import { parseFields, validateSelection } from "./fields.ts";
import { DEFAULT_FILE_SELECTION, FILE_SCHEMA, fileResource } from "./file-resource.ts";
import { listFiles, parseListRequest, type ListRequest } from "./list-files.ts";
import type { KeyRateLimiter } from "./rate-limit.ts";
import { isReachable, parseResourceKeys, RESOURCE_KEYS_HEADER } from "./resource-keys.ts";
import { sendDriveError, sendJson } from "./respond.ts";
import type { RequestStats } from "./stats.ts";
import type { FakeTree } from "./tree.ts";

const FILES_PATH = "/drive/v3/files";

export interface DriveServerParts {
  tree: FakeTree;
  faults: FaultInjector;
  stats: RequestStats;
  limiter: KeyRateLimiter;
  checksums: ChecksumCalculator;
  apiKeys: ReadonlySet<string>;
  /** Applied to every Drive request, on top of fault rules. */
  latencyMs: number;
  bandwidthBytesPerSecond: number | undefined;
  control: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

/** The request listener of the fake. */
export function createRequestListener(
  parts: DriveServerParts,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(parts, req, res).catch((error: unknown) => {
      // A bug in the fake, not a Drive behaviour: answer like Drive's 500 and say what broke.
      console.error("fake-drive: request failed:", error);
      if (res.headersSent) res.destroy();
      else void sendDriveError(req, res, new DriveApiError("internalError"));
    });
  };
}

async function handle(parts: DriveServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake-drive.invalid");
  if (url.pathname.startsWith(CONTROL_PREFIX)) return parts.control(req, res, url);

  const fileId = fileIdOf(url.pathname);
  if (fileId === null) {
    parts.stats.recordRequest("other", url.searchParams.get("key") ?? "", []);
    res.writeHead(404, { "content-type": "text/html; charset=UTF-8" });
    res.end(
      `<!DOCTYPE html><title>Error 404 (Not Found)</title><p>The requested URL ${url.pathname} was not found.`,
    );
    return;
  }
  const alt = url.searchParams.get("alt");
  const route: Route = fileId === undefined ? "list" : alt === "media" ? "media" : "get";
  const key = url.searchParams.get("key") ?? "";
  let listRequest: ListRequest | undefined;
  let invalidRequest: DriveApiError | undefined;
  try {
    if (route === "list") listRequest = parseListRequest(url.searchParams);
  } catch (error) {
    if (!(error instanceof DriveApiError)) throw error;
    invalidRequest = error;
  }
  const fileIds = fileId !== undefined ? [fileId] : (listRequest?.parentIds ?? []);
  parts.stats.recordRequest(route, key, fileIds);
  res.on("close", () => parts.stats.recordStatus(res.statusCode));

  try {
    if (req.method !== "GET") throw new DriveApiError("loginRequired");
    if (key === "") throw new DriveApiError("forbidden");
    if (!parts.apiKeys.has(key)) throw new DriveApiError("keyInvalid");
    const admitted = parts.limiter.tryAcquire(key);
    parts.stats.recordAdmitted(admitted);
    if (!admitted) throw new DriveApiError("userRateLimitExceeded");

    const effects = parts.faults.match(route, fileIds);
    const latencyMs = parts.latencyMs + effects.latencyMs;
    if (latencyMs > 0) await sleep(latencyMs);
    if (effects.error) throw new DriveApiError(effects.error, fileIds[0] ?? "", effects.retryAfterSeconds);
    if (invalidRequest) throw invalidRequest;
    if (alt !== null && alt !== "json" && alt !== "media") throw new DriveApiError("invalidParameter", "alt");

    const resourceKeys = parseResourceKeys(req.headers[RESOURCE_KEYS_HEADER]);
    if (listRequest) {
      const context = { tree: parts.tree, checksums: parts.checksums, resourceKeys };
      const shaping = { maxFiles: effects.pageFiles, endListing: effects.endListing };
      await sendJson(req, res, 200, await listFiles(listRequest, context, shaping));
      return;
    }
    const item = fileId === undefined ? undefined : parts.tree.get(fileId);
    if (!item || !isReachable(item, resourceKeys)) throw new DriveApiError("notFound", fileId);
    if (route === "media") {
      await sendMedia(
        res,
        item,
        {
          rangeHeader: req.headers.range,
          bandwidthBytesPerSecond: effects.bandwidthBytesPerSecond ?? parts.bandwidthBytesPerSecond,
          cutAfterBytes: effects.cutAfterBytes,
          wrongMd5: effects.wrongMd5,
        },
        parts.stats,
      );
      return;
    }
    const fields = url.searchParams.get("fields");
    const selection = fields === null ? DEFAULT_FILE_SELECTION : parseFields(fields);
    validateSelection(selection, FILE_SCHEMA);
    await sendJson(req, res, 200, await fileResource(item, selection, parts.tree, parts.checksums));
  } catch (error) {
    if (!(error instanceof DriveApiError)) throw error;
    if (res.headersSent) res.destroy();
    else await sendDriveError(req, res, error);
  }
}

/** undefined for the collection (files.list), the id for one file, null for any other path. */
function fileIdOf(pathname: string): string | undefined | null {
  if (pathname === FILES_PATH || pathname === `${FILES_PATH}/`) return undefined;
  if (!pathname.startsWith(`${FILES_PATH}/`)) return null;
  const rest = pathname.slice(FILES_PATH.length + 1);
  if (rest.includes("/")) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return null; // malformed escapes name no file
  }
}
