import { describe, expect, it } from "vitest";
import { TtlCache } from "./ttl-cache.ts";

describe("TtlCache", () => {
  it("forgets an entry once its time is up", () => {
    let now = 1_000;
    const cache = new TtlCache<string>({ ttlMs: 10_000, maxEntries: 10, now: () => now });
    cache.set("a", "one");
    now += 9_999;
    expect(cache.get("a")).toBe("one");
    now += 1;
    expect(cache.get("a")).toBeUndefined();
  });

  it("drops the oldest entry when full", () => {
    const cache = new TtlCache<number>({ ttlMs: 10_000, maxEntries: 2, now: () => 0 });
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, 2, 3]);
  });

  it("keeps nothing when caching is switched off", () => {
    const cache = new TtlCache<number>({ ttlMs: 0, maxEntries: 2, now: () => 0 });
    cache.set("a", 1);
    expect(cache.get("a")).toBeUndefined();
  });
});
