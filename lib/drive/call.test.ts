import { afterEach, describe, expect, it } from "vitest";
import type { DriveOperation } from "./call.ts";
import type { DriveClient } from "./client.ts";
import { startDriveUnderTest, testApiKey, type DriveUnderTest } from "./test-support.ts";

interface Recorded {
  attempts: DriveOperation[];
  retries: { reason: string; delayMs: number }[];
  rateLimited: number;
}

/** A fake Drive with one folder, and a client whose metric hooks record into `recorded`. */
async function startRecorded(settings: Parameters<typeof startDriveUnderTest>[0] = {}) {
  const recorded: Recorded = { attempts: [], retries: [], rateLimited: 0 };
  const env = await startDriveUnderTest({
    ...settings,
    settings: {
      ...settings.settings,
      hooks: {
        onAttempt: (operation) => recorded.attempts.push(operation),
        onRetry: (_operation, error, delayMs) => recorded.retries.push({ reason: error.reason, delayMs }),
        onRateLimited: () => recorded.rateLimited++,
      },
    },
  });
  const folderId = env.fake.tree.addFolder({ name: "Photos" });
  return { env, recorded, folderId };
}

function getFolder(drive: DriveClient, folderId: string) {
  return drive.call("files.get", ({ signal }) =>
    drive.files.get({ fileId: folderId, fields: "id,name" }, { signal }),
  );
}

describe("callDrive", () => {
  let env: DriveUnderTest | undefined;
  afterEach(() => env?.close());

  it("retries a 429 after its Retry-After and a 5xx, then succeeds", async () => {
    const started = await startRecorded();
    env = started.env;
    env.fake.faults.add({ routes: ["get"], error: "rateLimitExceeded429", retryAfterSeconds: 1, times: 1 });
    env.fake.faults.add({ routes: ["get"], error: "internalError", times: 2 });
    // Both rules fire on the first request (the first error wins), the 5xx again on the second.
    const { data } = await getFolder(env.drive, started.folderId);
    expect(data.name).toBe("Photos");
    expect(started.recorded.attempts).toEqual(["files.get", "files.get", "files.get"]);
    expect(started.recorded.retries.map((retry) => retry.reason)).toEqual([
      "rateLimitExceeded",
      "internalError",
    ]);
    expect(started.recorded.retries[0]!.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(started.recorded.rateLimited).toBe(1);
  });

  it("retries 403 rate-limit reasons, which the Google client itself would not", async () => {
    const started = await startRecorded();
    env = started.env;
    env.fake.faults.add({ routes: ["get"], error: "userRateLimitExceeded", times: 2 });
    await getFolder(env.drive, started.folderId);
    expect(env.fake.stats.snapshot().byStatus).toEqual({ "200": 1, "403": 2 });
    expect(env.drive.pacer.currentRate).toBeLessThan(env.drive.pacer.options.ratePerSecond);
  });

  it("makes one request only for an error retrying cannot fix", async () => {
    const started = await startRecorded();
    env = started.env;
    await expect(getFolder(env.drive, "1NoSuchFolder000000")).rejects.toMatchObject({ kind: "notFound" });
    expect(env.fake.stats.snapshot().requests).toBe(1);
    expect(started.recorded.retries).toEqual([]);
  });

  it("settles under a fake per-key rate limit: every call succeeds and the pacer slows below its ceiling", async () => {
    const started = await startRecorded({
      fake: { rateLimit: { requestsPerSecond: 40, burst: 5 } },
      settings: {
        pacing: { ratePerSecond: 160, burst: 5, increaseStep: 4, increaseIntervalMs: 250 },
        retry: { initialDelayMs: 25, maxDelayMs: 400, maxAttempts: 10 },
      },
    });
    env = started.env;
    const drive = env.drive;
    let remaining = 80;
    const worker = async (): Promise<void> => {
      while (remaining-- > 0) await getFolder(drive, started.folderId);
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const stats = env.fake.stats.snapshot();
    expect(stats.admitted).toBe(80);
    expect(stats.byKey[testApiKey]).toBe(80 + stats.rejectedByRateLimit);
    expect(started.recorded.rateLimited).toBe(stats.rejectedByRateLimit);
    expect(drive.pacer.currentRate).toBeLessThan(160);
  });
});
