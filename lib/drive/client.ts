import { drive, type drive_v3 } from "@googleapis/drive";
import { createHash } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { systemClock, type Clock } from "../controller-runtime/clock.ts";
import { createDriveCaller, type DriveCaller, type DriveCallHooks } from "./call.ts";
import { DriveError, DriveErrorKind } from "./errors.ts";
import { Pacer, type PacerOptions } from "./pacer.ts";
import { RetryPolicy, type RetryPolicyOptions } from "./retry-policy.ts";

export const defaultDriveRootUrl = "https://www.googleapis.com/";

/** How a process talks to Drive; one set per process, shared by every API key it uses. */
export interface DriveSettings {
  /** Where the Drive API lives (the fake Drive in tests); the client keeps the `/drive/v3/...` path. */
  rootUrl?: string;
  /** Time allowed for each call's answer (for a download: its response headers). */
  callTimeoutMs?: number;
  /** A download that sends no bytes for this long fails with a transient error. */
  stallTimeoutMs?: number;
  /**
   * Sockets to Drive over all keys: bounds concurrent requests and reuses connections. A download holds
   * one for its whole transfer and a call waiting for a socket spends its timeout, so allow the worker's
   * concurrent downloads plus a few.
   */
  maxSockets?: number;
  /** Pacing per API key (default 10 requests/s, burst 100). */
  pacing?: Partial<PacerOptions>;
  retry?: Partial<RetryPolicyOptions>;
  hooks?: DriveCallHooks;
  clock?: Clock;
  random?: () => number;
}

export const defaultDriveSettings = {
  rootUrl: defaultDriveRootUrl,
  callTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
  maxSockets: 32,
} as const;

/** A Drive client for one API key: the generated client, and `call` to run its requests under our policy. */
export interface DriveClient {
  /** `files` of the generated v3 client, bound to the key, the root URL and our sockets, with its own retries off. */
  readonly files: drive_v3.Resource$Files;
  /** Runs a call on `files` paced, timed out, retried and classified (see call.ts). */
  readonly call: DriveCaller;
  /** This key's token bucket (its `currentRate` is worth a gauge). */
  readonly pacer: Pacer;
  readonly stallTimeoutMs: number;
  readonly clock: Clock;
}

/**
 * A process's Drive clients, one per API key (one pacer per key: Drive meters each key), all sharing one
 * keep-alive socket pool. Keys stay cached for the life of the process; there are few.
 */
export class DriveClients {
  readonly #settings: DriveSettings;
  readonly #httpAgent: HttpAgent;
  readonly #httpsAgent: HttpsAgent;
  readonly #clients = new Map<string, DriveClient>();

  constructor(settings: DriveSettings = {}) {
    this.#settings = settings;
    const maxSockets = settings.maxSockets ?? defaultDriveSettings.maxSockets;
    this.#httpAgent = new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.#httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** The client for `apiKey`, created on first use. */
  forApiKey(apiKey: string): DriveClient {
    const existing = this.#clients.get(apiKey);
    if (existing !== undefined) return existing;
    const client = this.#create(apiKey);
    this.#clients.set(apiKey, client);
    return client;
  }

  /** Each key's current pacing rate, the key named by a short fingerprint (never the key itself). */
  pacingRates(): { keyFingerprint: string; ratePerSecond: number }[] {
    return [...this.#clients].map(([apiKey, client]) => ({
      keyFingerprint: apiKeyFingerprint(apiKey),
      ratePerSecond: client.pacer.currentRate,
    }));
  }

  /** Closes the pooled sockets (at shutdown). */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  #create(apiKey: string): DriveClient {
    if (apiKey.trim() === "") {
      throw new DriveError({
        kind: DriveErrorKind.Configuration,
        reason: "keyMissing",
        message: "the Drive API key is empty: put the key in the Secret the import names (apiKeySecretRef)",
        retryable: false,
      });
    }
    const settings = this.#settings;
    const clock = settings.clock ?? systemClock;
    const pacer = new Pacer(settings.pacing, clock);
    const api = drive({
      version: "v3",
      auth: apiKey,
      rootUrl: settings.rootUrl ?? defaultDriveRootUrl,
      // Our retry policy is the only one: the client's would retry 429/5xx without jitter or Retry-After.
      retry: false,
      agent: (url: URL) => (url.protocol === "http:" ? this.#httpAgent : this.#httpsAgent),
    });
    return {
      files: api.files,
      pacer,
      clock,
      stallTimeoutMs: settings.stallTimeoutMs ?? defaultDriveSettings.stallTimeoutMs,
      call: createDriveCaller({
        pacer,
        retryPolicy: new RetryPolicy(settings.retry, clock, settings.random),
        clock,
        timeoutMs: settings.callTimeoutMs ?? defaultDriveSettings.callTimeoutMs,
        ...(settings.hooks === undefined ? {} : { hooks: settings.hooks }),
      }),
    };
  }
}

/** A stable, non-secret name for an API key: the first 8 hex digits of its SHA-256. */
export function apiKeyFingerprint(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex").slice(0, 8);
}
