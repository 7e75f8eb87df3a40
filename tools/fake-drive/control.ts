/**
 * The control endpoint, for a fake started elsewhere (the CLI): /_fake/… on the Drive port, no API key.
 *
 *   GET    /_fake/health                      → { ok: true }
 *   GET    /_fake/stats                       → counters;  POST /_fake/stats/reset
 *   GET    /_fake/faults                      → rules;     POST /_fake/faults (a rule or an array) → { ids }
 *   DELETE /_fake/faults[/<id>]               → remove all rules, or one
 *   POST   /_fake/tree      (fixture JSON)    → { roots, paths }
 *   POST   /_fake/generate  (GenerateOptions) → { rootId, folderIds, counts, … }
 *   POST   /_fake/demo      ({ name? })       → the demo folder's ids
 *   POST   /_fake/items/<id>/trash | untrash | replace-content ({ size? }) | resource-key ({ resourceKey? })
 *   DELETE /_fake/items/<id>[/resource-key]   → remove the item, or its key
 *   PUT    /_fake/rate-limit ({ requestsPerSecond, burst } or null)
 *   POST   /_fake/reset                       → empty tree, no faults, zeroed counters
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { seedDemoFolder } from "./demo.ts";
import type { FaultInjector, FaultRule } from "./faults.ts";
import { loadFixture } from "./fixture.ts";
import { generateTree, type GenerateOptions } from "./generate.ts";
import type { KeyRateLimiter, RateLimit } from "./rate-limit.ts";
import type { RequestStats } from "./stats.ts";
import type { FakeTree } from "./tree.ts";

export interface ControlParts {
  tree: FakeTree;
  faults: FaultInjector;
  stats: RequestStats;
  limiter: KeyRateLimiter;
}

/** Where control routes live on the Drive port. */
export const CONTROL_PREFIX = "/_fake/";
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request the control endpoint cannot act on; answered 400 (or `status`) with the message. */
class ControlError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/** Handles /_fake/… requests. */
export function createControlHandler(parts: ControlParts) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      const path = url.pathname.slice(CONTROL_PREFIX.length).split("/").map(decodeURIComponent);
      const result = await route(parts, req.method ?? "GET", path, () => readJson(req));
      send(res, 200, result ?? { ok: true });
    } catch (error) {
      const status = error instanceof ControlError ? error.status : 400;
      send(res, status, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}

async function route(
  { tree, faults, stats, limiter }: ControlParts,
  method: string,
  path: string[],
  body: () => Promise<unknown>,
): Promise<unknown> {
  const [resource = "", id, action] = path;
  // Ids of items and fault rules are parameters; other path parts are literal.
  const hasId = resource === "items" || resource === "faults";
  const shape = [resource, hasId && id !== undefined ? ":id" : id, action].filter(
    (part) => part !== undefined,
  );
  switch (`${method} ${shape.join("/")}`) {
    case "GET health":
      return { ok: true };
    case "GET stats":
      return stats.snapshot();
    case "POST stats/reset":
      stats.reset();
      return undefined;
    case "GET faults":
      return faults.list();
    case "POST faults": {
      const rules = await body();
      return { ids: (Array.isArray(rules) ? rules : [rules]).map((rule) => faults.add(rule as FaultRule)) };
    }
    case "DELETE faults":
      faults.clear();
      return undefined;
    case "DELETE faults/:id":
      if (!faults.remove(id!)) throw new ControlError(`no fault rule ${id}`, 404);
      return undefined;
    case "POST tree":
      return loadFixture(tree, await body());
    case "POST generate":
      return generateTree(tree, (await body()) as GenerateOptions);
    case "POST demo":
      return seedDemoFolder(tree, (await body()) ?? {});
    case "POST items/:id/trash":
      tree.trash(id!);
      return undefined;
    case "POST items/:id/untrash":
      tree.untrash(id!);
      return undefined;
    case "POST items/:id/replace-content": {
      const change = ((await body()) ?? {}) as { size?: number };
      tree.replaceContent(id!, change.size === undefined ? {} : { size: change.size });
      return undefined;
    }
    case "POST items/:id/resource-key": {
      const { resourceKey } = ((await body()) ?? {}) as { resourceKey?: string };
      return { resourceKey: tree.setResourceKey(id!, resourceKey) };
    }
    case "DELETE items/:id/resource-key":
      tree.clearResourceKey(id!);
      return undefined;
    case "DELETE items/:id":
      tree.remove(id!);
      return undefined;
    case "PUT rate-limit":
      limiter.set((await body()) as RateLimit | undefined);
      return { rateLimit: limiter.limit ?? null };
    case "POST reset":
      tree.clear();
      faults.clear();
      stats.reset();
      return undefined;
  }
  throw new ControlError(`no control route ${method} /_fake/${path.join("/")}`, 404);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_BODY_BYTES) throw new ControlError(`body over ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlError("body is not JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}
