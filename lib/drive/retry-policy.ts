// The leaf module, not the folder index: that one loads the Kubernetes client (seconds, ~100 MB) a worker never needs.
import { sleep, systemClock, type Clock } from "../controller-runtime/clock.ts";
import { abortedError, classifyDriveError, type DriveError } from "./errors.ts";

export interface RetryPolicyOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The ceiling of the first retry's delay; it doubles with every retry up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * A `Retry-After` longer than this is not slept through: the error goes back to the caller, which can
   * reschedule the work (a worker naks the task with that delay) instead of holding a slot.
   */
  maxRetryAfterMs: number;
}

/** 1 s, 2 s, 4 s, 8 s, 16 s, 16 s, 16 s: about a minute of trying before a call gives up. */
export const defaultRetryPolicyOptions: RetryPolicyOptions = {
  maxAttempts: 8,
  initialDelayMs: 1_000,
  maxDelayMs: 16_000,
  maxRetryAfterMs: 60_000,
};

/** What the policy reports before each retry, for metrics and logs. */
export type RetryListener = (error: DriveError, delayMs: number, retry: number) => void;

export interface RetryRunOptions {
  signal?: AbortSignal;
  onRetry?: RetryListener;
}

/**
 * The one retry policy for every Drive call: exponential backoff with full jitter (a delay drawn uniformly
 * below a doubling ceiling, so many callers failing together spread out), at least what `Retry-After`
 * asks, only for retryable errors (403 rate-limit reasons included), a bounded number of attempts, abortable.
 */
export class RetryPolicy {
  readonly options: RetryPolicyOptions;
  readonly #clock: Clock;
  readonly #random: () => number;

  constructor(
    options: Partial<RetryPolicyOptions> = {},
    clock: Clock = systemClock,
    random: () => number = Math.random,
  ) {
    this.options = { ...defaultRetryPolicyOptions, ...options };
    this.#clock = clock;
    this.#random = random;
  }

  /**
   * How long to wait before retry number `retry` (0 for the first) after `error`, or undefined when the
   * error must go back to the caller.
   */
  delayBeforeRetry(retry: number, error: DriveError): number | undefined {
    if (!error.retryable || retry + 1 >= this.options.maxAttempts) return undefined;
    const retryAfter = error.retryAfterMs ?? 0;
    if (retryAfter > this.options.maxRetryAfterMs) return undefined;
    const ceiling = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** retry);
    return Math.max(retryAfter, Math.floor(ceiling * this.#random()));
  }

  /** Runs `attempt` until it succeeds, fails for good, runs out of attempts or `signal` aborts. */
  async run<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryRunOptions = {}): Promise<T> {
    const { signal, onRetry } = options;
    for (let attemptNumber = 0; ; attemptNumber++) {
      throwIfAborted(signal);
      let error: DriveError;
      try {
        return await attempt(attemptNumber);
      } catch (thrown) {
        error = classifyDriveError(thrown, this.#clock.now());
      }
      throwIfAborted(signal);
      const delayMs = this.delayBeforeRetry(attemptNumber, error);
      if (delayMs === undefined) throw error;
      onRetry?.(error, delayMs, attemptNumber);
      await sleep(this.#clock, delayMs, signal);
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError();
}
