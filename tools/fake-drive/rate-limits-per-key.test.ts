import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeDrive } from "./index.ts";
import { driveClient, failureOf, startTestDrive } from "./test-support.ts";

describe("the per-key rate limiter", { timeout: 30_000 }, () => {
  let fake: FakeDrive;
  let now = 1_000_000;
  let fileId: string;

  beforeAll(async () => {
    // A hand-driven clock: the bucket refills only when the test says time passed.
    ({ fake } = await startTestDrive({
      apiKeys: ["key-1", "key-2"],
      rateLimit: { requestsPerSecond: 5, burst: 5 },
      now: () => now,
    }));
    fileId = fake.tree.addFile({ name: "f.bin", size: 1 });
  });
  afterAll(() => fake.close());

  async function burst(key: string, count: number): Promise<number[]> {
    const client = driveClient(fake, key);
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      statuses.push(
        await client.files.get({ fileId }).then(
          (r) => r.status,
          (e: { status?: number }) => e.status ?? 0,
        ),
      );
    }
    return statuses;
  }

  it("admits the burst, then answers 403 userRateLimitExceeded until tokens refill", async () => {
    fake.stats.reset();
    const client = driveClient(fake, "key-1");
    for (let i = 0; i < 5; i++) expect((await client.files.get({ fileId })).status).toBe(200);
    const rejected = await failureOf(() => client.files.get({ fileId }));
    expect(rejected).toMatchObject({
      status: 403,
      reason: "userRateLimitExceeded",
      message: "User Rate Limit Exceeded",
    });
    expect(rejected.body).toMatchObject({ error: { errors: [{ domain: "usageLimits" }] } });
    expect(fake.stats.snapshot()).toMatchObject({ requests: 6, admitted: 5, rejectedByRateLimit: 1 });

    now += 400; // two tokens at 5/s
    expect((await client.files.get({ fileId })).status).toBe(200);
    expect((await client.files.get({ fileId })).status).toBe(200);
    expect((await failureOf(() => client.files.get({ fileId }))).status).toBe(403);
  });

  it("keeps one bucket per key", async () => {
    now += 10_000;
    const first = await burst("key-1", 7);
    const second = await burst("key-2", 7);
    expect(first.filter((status) => status === 200)).toHaveLength(5);
    expect(second.filter((status) => status === 200)).toHaveLength(5);
  });

  it("rejects the share of a steady rate above R", async () => {
    now += 10_000;
    fake.stats.reset();
    // 100 requests over 5 simulated seconds (20/s) against 5/s with a burst of 5: 5 + 25 admitted.
    const client = driveClient(fake, "key-1");
    for (let i = 0; i < 100; i++) {
      now += 50;
      await client.files.get({ fileId }).catch(() => undefined);
    }
    const { admitted, rejectedByRateLimit } = fake.stats.snapshot();
    expect(admitted + rejectedByRateLimit).toBe(100);
    expect(admitted).toBeGreaterThanOrEqual(29);
    expect(admitted).toBeLessThanOrEqual(31);
  });

  it("can be changed or lifted at run time", async () => {
    fake.setRateLimit(undefined);
    expect((await burst("key-1", 20)).every((status) => status === 200)).toBe(true);
    fake.setRateLimit({ requestsPerSecond: 1, burst: 1 });
    expect(await burst("key-1", 2)).toEqual([200, 403]);
  });
});
