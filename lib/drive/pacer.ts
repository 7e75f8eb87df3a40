import { systemClock, type Clock } from "../controller-runtime/clock.ts";
import { abortedError } from "./errors.ts";

export interface PacerOptions {
  /** The ceiling: requests per second when Drive does not push back. */
  ratePerSecond: number;
  /** Requests that may go at once after a quiet spell. */
  burst: number;
  /** The rate never drops below this, so a storm of rate-limit errors cannot stop all calls. */
  minRatePerSecond: number;
  /** On a rate-limit error the rate is multiplied by this. */
  decreaseFactor: number;
  /**
   * After a cut the rate climbs back quickly to this share of the rate Drive refused (the learned limit)
   * and holds there: close enough to the limit to use it, far enough to stop bouncing off it.
   */
  settleFraction: number;
  /**
   * Each interval without a rate-limit error, the learned limit drifts this share of the way back to the
   * ceiling: Drive's limit may have risen, or the error was chance (Drive refuses some calls at any rate),
   * and a limit that only ever fell would starve the process after enough chance refusals.
   */
  limitDrift: number;
  /** Requests per second added per interval, at least, while climbing back. */
  increaseStep: number;
  /** The rate changes at most once per interval, so one change is judged before the next. */
  increaseIntervalMs: number;
  /** The longest a Retry-After holds every caller; a longer one is the failed call's business alone. */
  maxPauseMs: number;
}

/** rclone's pacing for Drive (10 requests/s, burst 100), but one that remembers where Drive pushed back. */
export const defaultPacerOptions: PacerOptions = {
  ratePerSecond: 10,
  burst: 100,
  minRatePerSecond: 0.5,
  decreaseFactor: 0.7,
  settleFraction: 0.95,
  limitDrift: 0.01,
  increaseStep: 0.5,
  increaseIntervalMs: 1_000,
  maxPauseMs: 60_000,
};

interface Waiter {
  resolve: (permit: number) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

// Tokens are fractional; this absorbs floating-point dust so a timer that fires on time finds its token.
const epsilon = 1e-9;

/**
 * A token bucket shared by all of a process's calls with one API key, whose rate adapts like TCP CUBIC's
 * window: a rate-limit error multiplies the rate down and remembers the refused rate as Drive's limit;
 * sustained success climbs back fast to just under that limit, which then drifts up only slowly, so
 * throughput settles at the limit instead of sawing between it and half of it.
 * Waiters are served in arrival order.
 */
export class Pacer {
  readonly options: PacerOptions;
  readonly #clock: Clock;
  #rate: number;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  #lastChangeAt: number;
  /** The rate Drive last refused; undefined until it first pushes back. */
  #learnedLimit: number | undefined;
  /** Permits handed out so far; each call's permit is its sequence number. */
  #granted = 0;
  /** The first permit granted after the last cut: reports about earlier ones describe the old rate. */
  #firstPermitAtRate = 0;
  #waiters: Waiter[] = [];
  #timer: unknown;

  constructor(options: Partial<PacerOptions> = {}, clock: Clock = systemClock) {
    this.options = { ...defaultPacerOptions, ...options };
    if (!(this.options.ratePerSecond > 0) || !(this.options.burst >= 1)) {
      throw new Error("the Drive pacer needs a rate above 0 requests per second and a burst of at least 1");
    }
    this.#clock = clock;
    this.#rate = this.options.ratePerSecond;
    this.#tokens = this.options.burst;
    this.#refilledAt = clock.now();
    this.#lastChangeAt = clock.now();
  }

  /** Requests per second allowed right now (for metrics). */
  get currentRate(): number {
    return this.#rate;
  }

  /** Calls waiting for a token (for metrics). */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Waits for a token; resolves with the call's permit number, which it hands back to `rateLimited`. */
  acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted === true) return Promise.reject(abortedError());
    if (this.#waiters.length === 0 && this.#take()) return Promise.resolve(this.#granted++);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiters = this.#waiters.filter((other) => other !== waiter);
          reject(abortedError());
          this.#reschedule();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#reschedule();
    });
  }

  /**
   * Drive pushed back on the call holding `permit`: multiply the rate down (once per round: calls that
   * went out before the last cut report the old rate and do not cut again) and pause everyone for
   * `retryAfterMs`.
   */
  rateLimited(permit: number, retryAfterMs?: number): void {
    const now = this.#clock.now();
    if (permit >= this.#firstPermitAtRate) {
      this.#refill(now);
      this.#learnedLimit = this.#rate;
      this.#rate = Math.max(this.options.minRatePerSecond, this.#rate * this.options.decreaseFactor);
      this.#tokens = Math.min(this.#tokens, 0);
      this.#firstPermitAtRate = this.#granted;
      this.#lastChangeAt = now;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.#refill(now);
      this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.min(retryAfterMs, this.options.maxPauseMs));
    }
    this.#reschedule();
  }

  /** The rate Drive last refused, if it has pushed back at all (for metrics and tests). */
  get learnedLimit(): number | undefined {
    return this.#learnedLimit;
  }

  /**
   * A call succeeded: once per interval, let the learned limit drift up, then climb halfway back to the
   * settled rate under it (at least one step).
   */
  succeeded(): void {
    const now = this.#clock.now();
    if (
      this.#rate >= this.options.ratePerSecond ||
      now - this.#lastChangeAt < this.options.increaseIntervalMs
    )
      return;
    const { increaseStep, settleFraction, limitDrift, ratePerSecond } = this.options;
    if (this.#learnedLimit !== undefined)
      this.#learnedLimit += (ratePerSecond - this.#learnedLimit) * limitDrift;
    const settled = Math.min(ratePerSecond, (this.#learnedLimit ?? Infinity) * settleFraction);
    this.#refill(now);
    this.#rate = Math.max(
      this.#rate,
      Math.min(settled, this.#rate + Math.max(increaseStep, (settled - this.#rate) / 2)),
    );
    this.#lastChangeAt = now;
    this.#reschedule();
  }

  #refill(now: number): void {
    // No tokens accrue while paused, or a long Retry-After would end in a burst.
    const from = Math.max(this.#refilledAt, this.#pausedUntil);
    if (now > from)
      this.#tokens = Math.min(this.options.burst, this.#tokens + ((now - from) * this.#rate) / 1000);
    this.#refilledAt = Math.max(this.#refilledAt, now);
  }

  #take(): boolean {
    const now = this.#clock.now();
    this.#refill(now);
    if (now < this.#pausedUntil || this.#tokens < 1 - epsilon) return false;
    this.#tokens -= 1;
    return true;
  }

  #reschedule(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#waiters.length === 0) return;
    const now = this.#clock.now();
    this.#refill(now);
    const pauseLeft = Math.max(0, this.#pausedUntil - now);
    const untilToken = Math.max(0, Math.ceil(((1 - this.#tokens) * 1000) / this.#rate));
    const delayMs = Math.max(1, pauseLeft + untilToken);
    this.#timer = this.#clock.setTimeout(() => this.#release(), delayMs);
  }

  #release(): void {
    this.#timer = undefined;
    for (let waiter = this.#waiters[0]; waiter !== undefined && this.#take(); waiter = this.#waiters[0]) {
      this.#waiters.shift();
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.#granted++);
    }
    this.#reschedule();
  }
}
