import { backoffDelay, type BackoffOptions } from "./backoff.ts";

/** client-go's defaults for per-item failure backoff (5 ms doubling up to 1000 s), plus 10% jitter. */
export const defaultItemBackoff: BackoffOptions = { initialMs: 5, maxMs: 1_000_000, jitter: 0.1 };

/**
 * Per-key exponential backoff, like client-go's ItemExponentialFailureRateLimiter: each `when(key)`
 * counts a failure and returns a longer delay until `forget(key)` resets the key.
 */
export class ItemExponentialRateLimiter {
  readonly #failures = new Map<string, number>();
  readonly #options: BackoffOptions;
  readonly #random: () => number;

  constructor(options: Partial<BackoffOptions> = {}, random: () => number = Math.random) {
    this.#options = { ...defaultItemBackoff, ...options };
    this.#random = random;
  }

  /** Records a failure of `key` and returns how long to wait before retrying it. */
  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return backoffDelay(failures, this.#options, this.#random);
  }

  /** Clears `key`'s failures: its next failure starts from the initial delay again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** How many failures `key` has had since it was last forgotten. */
  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}
