/**
 * A local fake of the Google Drive v3 API that the real `@googleapis/drive` client cannot tell from Drive:
 * files.list (q subset, paging, fields), files.get (metadata, alt=media with Range), API keys, resource
 * keys, shortcuts, Docs items, trash, real JPEG/PNG bytes with true checksums and image metadata, a
 * per-key rate limiter, fault injection and request counters. See README.md.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ChecksumCalculator } from "./checksums.ts";
import { createControlHandler } from "./control.ts";
import { FaultInjector, type FaultRule } from "./faults.ts";
import { KeyRateLimiter, type RateLimit } from "./rate-limit.ts";
import { createRequestListener } from "./server.ts";
import { RequestStats } from "./stats.ts";
import { FakeTree } from "./tree.ts";

export { seedDemoFolder, type DemoFolder } from "./demo.ts";
export { INJECTABLE_ERRORS, type InjectableError } from "./errors.ts";
export type { PhotoMetadata } from "./exif.ts";
export type { ActiveFault, FaultInjector, FaultRule, Route } from "./faults.ts";
export { loadFixture, type LoadedFixture } from "./fixture.ts";
export { ODD_NAMES } from "./odd-names.ts";
export { generateTree, type GeneratedTree, type GenerateOptions } from "./generate.ts";
export type { ImageFormat, ImageMediaMetadata, ImageSpec } from "./images.ts";
export type { RateLimit } from "./rate-limit.ts";
export type { RequestStats, StatsSnapshot } from "./stats.ts";
export { STOCK_IMAGES, type StockImageName } from "./stock-images.ts";
export {
  DOCUMENT_MIME_TYPE,
  FOLDER_MIME_TYPE,
  SHORTCUT_MIME_TYPE,
  type ContentChange,
  type DocSpec,
  type DriveItem,
  type FakeTree,
  type FileSpec,
  type ItemSpec,
  type ShortcutSpec,
} from "./tree.ts";

export interface FakeDriveOptions {
  /** Loopback by default; the fake never needs another interface. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Keys accepted as `key=`; any other key is Drive's 400 API_KEY_INVALID. */
  apiKeys: readonly string[];
  /** Per-key token bucket; beyond it, 403 userRateLimitExceeded. None by default. */
  rateLimit?: RateLimit;
  /** Delay before every Drive response, on top of fault rules. */
  latencyMs?: number;
  /** Download rate cap for every stream, on top of fault rules. */
  bandwidthBytesPerSecond?: number;
  /** Fault rules active from the start. */
  faults?: FaultRule[];
  /** Seed of the fault rules' probabilities. */
  faultSeed?: number;
  /** Seed of generated ids and resource keys. */
  idSeed?: string;
  /** Clock (epoch ms) for the rate limiter and default timestamps. */
  now?: () => number;
}

export interface FakeDrive {
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  /** The client's rootUrl: `url` with a trailing slash. */
  readonly rootUrl: string;
  readonly tree: FakeTree;
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
  /** Changes the per-key rate limit (undefined: none); buckets start full. */
  setRateLimit(limit: RateLimit | undefined): void;
  /** The link a user would paste for a folder: https://drive.google.com/drive/folders/<id>[?resourcekey=…]. */
  folderUrl(folderId: string): string;
  close(): Promise<void>;
}

/** Starts a fake Drive on loopback and resolves once it listens. */
export async function startFakeDrive(options: FakeDriveOptions): Promise<FakeDrive> {
  if (options.apiKeys.length === 0) throw new Error("give at least one API key");
  const now = options.now ?? Date.now;
  const tree = new FakeTree({ now, idSeed: options.idSeed });
  const faults = new FaultInjector(options.faultSeed);
  for (const rule of options.faults ?? []) faults.add(rule);
  const stats = new RequestStats();
  const limiter = new KeyRateLimiter(options.rateLimit, now);
  const server = createServer(
    createRequestListener({
      tree,
      faults,
      stats,
      limiter,
      checksums: new ChecksumCalculator(),
      apiKeys: new Set(options.apiKeys),
      latencyMs: options.latencyMs ?? 0,
      bandwidthBytesPerSecond: options.bandwidthBytesPerSecond,
      control: createControlHandler({ tree, faults, stats, limiter }),
    }),
  );
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    rootUrl: `${url}/`,
    tree,
    faults,
    stats,
    setRateLimit: (limit) => limiter.set(limit),
    folderUrl: (folderId) => {
      const key = tree.get(folderId)?.resourceKey;
      return `https://drive.google.com/drive/folders/${folderId}${key === undefined ? "" : `?resourcekey=${key}`}`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
