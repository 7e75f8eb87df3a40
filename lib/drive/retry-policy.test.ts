import { describe, expect, it } from "vitest";
import { FakeClock, settle } from "../controller-runtime/testing.ts";
import { DriveError, DriveErrorKind, type DriveErrorFields } from "./errors.ts";
import { RetryPolicy } from "./retry-policy.ts";

const almostOne = 1 - Number.EPSILON;

function driveError(fields: Partial<DriveErrorFields> = {}): DriveError {
  return new DriveError({
    kind: DriveErrorKind.Transient,
    reason: "backendError",
    status: 503,
    message: "Backend Error",
    retryable: true,
    ...fields,
  });
}

/** An attempt that fails with `errors` in turn, then succeeds; it records when it ran. */
function scripted(
  clock: FakeClock,
  errors: DriveError[],
): { attempt: () => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    attempt: () => {
      calls.push(clock.now());
      const error = errors[calls.length - 1];
      return error === undefined ? Promise.resolve("ok") : Promise.reject(error);
    },
  };
}

describe("RetryPolicy", () => {
  it("doubles the delay ceiling from 1 s up to 16 s", () => {
    const policy = new RetryPolicy({ maxAttempts: 10 }, new FakeClock(), () => almostOne);
    const delays = Array.from({ length: 7 }, (_, retry) => policy.delayBeforeRetry(retry, driveError()));
    expect(delays).toEqual([999, 1999, 3999, 7999, 15999, 15999, 15999]);
  });

  it("draws each delay uniformly below its ceiling (full jitter)", () => {
    const draws = [0, 0.25, 0.5, 0.75];
    for (const draw of draws) {
      const policy = new RetryPolicy({ maxAttempts: 10 }, new FakeClock(), () => draw);
      expect(policy.delayBeforeRetry(2, driveError())).toBe(4000 * draw);
    }
    const policy = new RetryPolicy({ maxAttempts: 10 }, new FakeClock(), Math.random);
    for (let i = 0; i < 200; i++) {
      const delay = policy.delayBeforeRetry(3, driveError())!;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(8000);
    }
  });

  it("waits at least what Retry-After asks, and hands back a Retry-After too long to sleep through", () => {
    const policy = new RetryPolicy({ maxRetryAfterMs: 30_000 }, new FakeClock(), () => 0);
    const rateLimited = (retryAfterMs: number): DriveError =>
      driveError({ kind: DriveErrorKind.RateLimit, status: 429, reason: "rateLimitExceeded", retryAfterMs });
    expect(policy.delayBeforeRetry(0, rateLimited(5_000))).toBe(5_000);
    expect(policy.delayBeforeRetry(0, rateLimited(30_000))).toBe(30_000);
    expect(policy.delayBeforeRetry(0, rateLimited(30_001))).toBeUndefined();
  });

  it("retries until success, sleeping on the injected clock", async () => {
    const clock = new FakeClock(0);
    const policy = new RetryPolicy({}, clock, () => 0.5);
    const { attempt, calls } = scripted(clock, [driveError(), driveError()]);
    const retries: [string, number][] = [];
    const result = policy.run(attempt, {
      onRetry: (error, delayMs) => retries.push([error.reason, delayMs]),
    });
    await settle();
    await clock.advance(2_000);
    await expect(result).resolves.toBe("ok");
    expect(calls).toEqual([0, 500, 1500]);
    expect(retries).toEqual([
      ["backendError", 500],
      ["backendError", 1000],
    ]);
  });

  it("retries 403 rate-limit reasons, honouring Retry-After", async () => {
    const clock = new FakeClock(0);
    const policy = new RetryPolicy({}, clock, () => 0);
    const userRateLimit = driveError({
      kind: DriveErrorKind.RateLimit,
      status: 403,
      reason: "userRateLimitExceeded",
      retryAfterMs: 3_000,
    });
    const { attempt, calls } = scripted(clock, [userRateLimit]);
    const result = policy.run(attempt);
    await settle();
    await clock.advance(3_000);
    await expect(result).resolves.toBe("ok");
    expect(calls).toEqual([0, 3_000]);
  });

  it("does not retry an error that is not retryable", async () => {
    const policy = new RetryPolicy({}, new FakeClock(), () => 0);
    const notFound = driveError({
      kind: DriveErrorKind.NotFound,
      status: 404,
      reason: "notFound",
      retryable: false,
    });
    const { attempt, calls } = scripted(new FakeClock(), [notFound]);
    await expect(policy.run(attempt)).rejects.toBe(notFound);
    expect(calls).toHaveLength(1);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const clock = new FakeClock(0);
    const policy = new RetryPolicy({ maxAttempts: 3 }, clock, () => 0);
    const errors = [
      driveError({ reason: "a" }),
      driveError({ reason: "b" }),
      driveError({ reason: "c" }),
      driveError(),
    ];
    const { attempt, calls } = scripted(clock, errors);
    const result = policy.run(attempt);
    const settled = expect(result).rejects.toMatchObject({ reason: "c" });
    await settle();
    await clock.advance(60_000);
    await settled;
    expect(calls).toHaveLength(3);
  });

  it("classifies whatever an attempt throws", async () => {
    const policy = new RetryPolicy({ maxAttempts: 1 }, new FakeClock(), () => 0);
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    await expect(policy.run(() => Promise.reject(reset))).rejects.toMatchObject({
      kind: DriveErrorKind.Transient,
      reason: "ECONNRESET",
    });
  });

  it("stops waiting and rejects as aborted when the signal fires during a backoff", async () => {
    const clock = new FakeClock(0);
    const policy = new RetryPolicy({}, clock, () => 0.99);
    const controller = new AbortController();
    const { attempt, calls } = scripted(clock, [driveError(), driveError()]);
    const result = policy.run(attempt, { signal: controller.signal });
    const settled = expect(result).rejects.toMatchObject({ kind: DriveErrorKind.Aborted, retryable: false });
    await settle();
    await clock.advance(100);
    controller.abort();
    await settled;
    expect(calls).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});
