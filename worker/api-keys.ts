import type { Clock } from "../lib/controller-runtime/clock.ts";
import type { ImportCredentials } from "../lib/queue/index.ts";
import { MissingApiKeyError } from "./errors.ts";

/** Where the operator leaves each running import's credentials (lib/queue's CredentialsStore). */
export interface CredentialsSource {
  get(importUid: string): Promise<ImportCredentials | undefined>;
}

interface CachedKey {
  apiKey: Promise<string | undefined>;
  expiresAt: number;
}

/**
 * The Drive API key for each import: the one its operator handed over, else the worker's default. Keys are
 * cached briefly (a busy import asks thousands of times a minute) and the look-up is shared by concurrent
 * callers; a key rotated in the Secret reaches workers within `ttlMs`.
 */
export class ApiKeys {
  readonly #source: CredentialsSource;
  readonly #defaultKey: string | undefined;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, CachedKey>();

  constructor(source: CredentialsSource, defaultKey: string | undefined, clock: Clock, ttlMs = 30_000) {
    this.#source = source;
    this.#defaultKey = defaultKey;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** The key for `importUid`; a MissingApiKeyError when there is none at all. */
  async forImport(importUid: string): Promise<string> {
    const now = this.#clock.now();
    const cached = this.#cache.get(importUid);
    const entry = cached !== undefined && cached.expiresAt > now ? cached : this.#lookUp(importUid, now);
    const apiKey = (await entry.apiKey) ?? this.#defaultKey;
    if (apiKey === undefined || apiKey === "") {
      throw new MissingApiKeyError(
        `no Drive API key for import ${importUid}: the operator has not handed one over and DRIVE_API_KEY is not set`,
      );
    }
    return apiKey;
  }

  #lookUp(importUid: string, now: number): CachedKey {
    this.#evictExpired(now);
    const entry: CachedKey = {
      apiKey: this.#source.get(importUid).then((credentials) => credentials?.driveApiKey),
      expiresAt: now + this.#ttlMs,
    };
    this.#cache.set(importUid, entry);
    // A failed or empty look-up is not remembered: the next file asks again.
    entry.apiKey.then(
      (apiKey) => {
        if (apiKey === undefined) this.#forget(importUid, entry);
      },
      () => this.#forget(importUid, entry),
    );
    return entry;
  }

  #forget(importUid: string, entry: CachedKey): void {
    if (this.#cache.get(importUid) === entry) this.#cache.delete(importUid);
  }

  #evictExpired(now: number): void {
    for (const [importUid, entry] of this.#cache) {
      if (entry.expiresAt <= now) this.#cache.delete(importUid);
    }
  }
}
