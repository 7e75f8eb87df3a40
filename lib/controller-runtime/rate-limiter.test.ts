import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.ts";
import { ItemExponentialRateLimiter } from "./rate-limiter.ts";

describe("ItemExponentialRateLimiter", () => {
  it("doubles each key's delay per failure up to the cap, independently of other keys", () => {
    const limiter = new ItemExponentialRateLimiter({ initialMs: 100, maxMs: 1_000 }, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => limiter.when("ns/a"))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(limiter.when("ns/b")).toBe(100);
    expect(limiter.retries("ns/a")).toBe(6);
  });

  it("starts over from the initial delay after forget", () => {
    const limiter = new ItemExponentialRateLimiter({ initialMs: 100, maxMs: 1_000 }, () => 0);
    limiter.when("ns/a");
    limiter.when("ns/a");
    limiter.forget("ns/a");
    expect(limiter.retries("ns/a")).toBe(0);
    expect(limiter.when("ns/a")).toBe(100);
  });

  it("defaults to client-go's 5 ms initial delay", () => {
    expect(new ItemExponentialRateLimiter({}, () => 0).when("ns/a")).toBe(5);
  });
});

describe("backoffDelay", () => {
  it("adds at most the jitter fraction and never exceeds the cap", () => {
    const options = { initialMs: 100, maxMs: 1_000, jitter: 0.5 };
    expect(backoffDelay(0, options, () => 0)).toBe(100);
    expect(backoffDelay(0, options, () => 0.999)).toBeCloseTo(149.95);
    expect(backoffDelay(3, options, () => 0.999)).toBe(1_000);
    expect(backoffDelay(2_000, options, () => 0)).toBe(1_000);
  });
});
