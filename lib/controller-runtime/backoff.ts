/** Exponential backoff: `initialMs · 2^attempt`, capped at `maxMs`, spread by up to `jitter` of itself. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction added at random (0.1 → up to +10%), so many keys or replicas failing together do not retry in step. */
  jitter: number;
}

/** The delay before retry number `attempt` (0 for the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  // 2^attempt overflows to Infinity for large attempts; Math.min caps it.
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
  return Math.min(options.maxMs, exponential * (1 + options.jitter * random()));
}
