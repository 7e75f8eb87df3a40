import type { Clock } from "../controller-runtime/clock.ts";
import { abortedError, classifyDriveError, DriveErrorKind, timeoutError, type DriveError } from "./errors.ts";
import type { Pacer } from "./pacer.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/** The Drive calls ImageSync makes; metrics use them as a label. */
export type DriveOperation = "files.get" | "files.list" | "files.download";

/** Callbacks for the process's metrics (it owns the prom-client registry); all optional. */
export interface DriveCallHooks {
  /** A request is about to go out (first tries and retries alike). */
  onAttempt?(operation: DriveOperation): void;
  /** A failed request will be retried after `delayMs`. */
  onRetry?(operation: DriveOperation, error: DriveError, delayMs: number): void;
  /** Drive pushed back with a rate-limit error; the pacer slowed down. */
  onRateLimited?(operation: DriveOperation, error: DriveError): void;
}

/** What one attempt gets: a signal that fires on the caller's abort or on the attempt's timeout. */
export interface DriveAttempt {
  signal: AbortSignal;
}

export interface DriveCallOptions {
  signal?: AbortSignal;
}

/** Runs one Drive call, paced, timed out, retried and classified; rejects only with a DriveError. */
export type DriveCaller = <T>(
  operation: DriveOperation,
  attempt: (context: DriveAttempt) => Promise<T>,
  options?: DriveCallOptions,
) => Promise<T>;

export interface DriveCallerParts {
  pacer: Pacer;
  retryPolicy: RetryPolicy;
  clock: Clock;
  /** Time allowed for an answer; a download's body is then watched by its stall timeout instead. */
  timeoutMs: number;
  hooks?: DriveCallHooks;
}

/** Builds `callDrive`: pacer + retry policy + classification around any client call. */
export function createDriveCaller(parts: DriveCallerParts): DriveCaller {
  const { pacer, retryPolicy, clock, timeoutMs, hooks = {} } = parts;
  return async (operation, attempt, options = {}) => {
    const { signal } = options;
    const paced = async () => {
      const permit = await pacer.acquire(signal);
      hooks.onAttempt?.(operation);
      const timeout = new AbortController();
      const timer = clock.setTimeout(() => timeout.abort(), timeoutMs);
      try {
        const result = await attempt({
          signal: signal === undefined ? timeout.signal : AbortSignal.any([signal, timeout.signal]),
        });
        pacer.succeeded();
        return result;
      } catch (thrown) {
        const error = classifyAttemptFailure(thrown, signal, timeout.signal, timeoutMs, clock);
        if (error.kind === DriveErrorKind.RateLimit) {
          pacer.rateLimited(permit, error.retryAfterMs);
          hooks.onRateLimited?.(operation, error);
        }
        throw error;
      } finally {
        clock.clearTimeout(timer);
      }
    };
    return retryPolicy.run(paced, {
      ...(signal === undefined ? {} : { signal }),
      onRetry: (error, delayMs) => hooks.onRetry?.(operation, error, delayMs),
    });
  };
}

function classifyAttemptFailure(
  thrown: unknown,
  callerSignal: AbortSignal | undefined,
  timeoutSignal: AbortSignal,
  timeoutMs: number,
  clock: Clock,
): DriveError {
  if (callerSignal?.aborted === true) return abortedError();
  if (timeoutSignal.aborted) return timeoutError("timeout", timeoutMs);
  return classifyDriveError(thrown, clock.now());
}
