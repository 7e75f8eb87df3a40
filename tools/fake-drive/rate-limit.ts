/** Drive's per-user quota as a token bucket per API key: beyond it, 403 userRateLimitExceeded. */

export interface RateLimit {
  requestsPerSecond: number;
  /** Requests admitted at once from a full bucket. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** One token bucket per API key, refilled by an injected clock. */
export class KeyRateLimiter {
  #limit: RateLimit | undefined;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(limit: RateLimit | undefined, now: () => number) {
    this.#now = now;
    this.set(limit);
  }

  /** Changes the limit (undefined: no limit); buckets start full again. */
  set(limit: RateLimit | undefined): void {
    if (limit && !(limit.requestsPerSecond > 0 && limit.burst >= 1)) {
      throw new Error(`a rate limit needs requestsPerSecond > 0 and burst ≥ 1, got ${JSON.stringify(limit)}`);
    }
    this.#limit = limit;
    this.#buckets.clear();
  }

  get limit(): RateLimit | undefined {
    return this.#limit;
  }

  /** Takes a token for `key`; false when the bucket is empty (the request is over the limit). */
  tryAcquire(key: string): boolean {
    if (!this.#limit) return true;
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(
      this.#limit.burst,
      bucket.tokens + elapsedSeconds * this.#limit.requestsPerSecond,
    );
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
