import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INJECTABLE_ERRORS, STOCK_IMAGES, type InjectableError } from "../../tools/fake-drive/index.ts";
import { DriveClients } from "./client.ts";
import { openFileStream } from "./download.ts";
import { DriveError, DriveErrorKind, parseRetryAfter, scrubApiKey } from "./errors.ts";
import { startDriveUnderTest, testApiKey, type DriveUnderTest } from "./test-support.ts";

/** What each error the fake can inject must become. */
const expected: Record<InjectableError, Pick<DriveError, "kind" | "status" | "reason" | "retryable">> = {
  keyInvalid: { kind: "configuration", status: 400, reason: "API_KEY_INVALID", retryable: false },
  forbidden: { kind: "configuration", status: 403, reason: "forbidden", retryable: false },
  userRateLimitExceeded: { kind: "rateLimit", status: 403, reason: "userRateLimitExceeded", retryable: true },
  rateLimitExceeded: { kind: "rateLimit", status: 403, reason: "rateLimitExceeded", retryable: true },
  rateLimitExceeded429: { kind: "rateLimit", status: 429, reason: "rateLimitExceeded", retryable: true },
  dailyLimitExceeded: { kind: "dailyQuota", status: 403, reason: "dailyLimitExceeded", retryable: false },
  downloadQuotaExceeded: {
    kind: "downloadQuota",
    status: 403,
    reason: "downloadQuotaExceeded",
    retryable: false,
  },
  cannotDownloadAbusiveFile: {
    kind: "abusiveFile",
    status: 403,
    reason: "cannotDownloadAbusiveFile",
    retryable: false,
  },
  cannotDownloadFile: { kind: "accessDenied", status: 403, reason: "cannotDownloadFile", retryable: false },
  fileNotDownloadable: {
    kind: "notDownloadable",
    status: 403,
    reason: "fileNotDownloadable",
    retryable: false,
  },
  notFound: { kind: "notFound", status: 404, reason: "notFound", retryable: false },
  internalError: { kind: "transient", status: 500, reason: "internalError", retryable: true },
  backendError: { kind: "transient", status: 500, reason: "backendError", retryable: true },
  serviceUnavailable: { kind: "transient", status: 503, reason: "backendError", retryable: true },
};

async function failureOf(promise: Promise<unknown>): Promise<DriveError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(DriveError);
  const error = outcome as DriveError;
  expect(error.message).not.toContain(testApiKey);
  return error;
}

describe("classifying Drive's answers through the real client", () => {
  let env: DriveUnderTest;
  let fileId: string;

  beforeEach(async () => {
    // One attempt: these tests look at the classification, not at the retries.
    env = await startDriveUnderTest({ settings: { retry: { maxAttempts: 1 } } });
    const folder = env.fake.tree.addFolder({ name: "Photos" });
    fileId = env.fake.tree.addFile({ parentId: folder, name: "a.jpg", image: STOCK_IMAGES.scan });
  });
  afterEach(() => env.close());

  it.each(INJECTABLE_ERRORS)("classifies an injected %s on files.get", async (name) => {
    env.fake.faults.add({ routes: ["get"], error: name, times: 1 });
    const error = await failureOf(
      env.drive.call("files.get", ({ signal }) => env.drive.files.get({ fileId, fields: "id" }, { signal })),
    );
    expect(error).toMatchObject(expected[name]);
    if (name === "rateLimitExceeded429") expect(error.retryAfterMs).toBe(1_000);
  });

  it.each(INJECTABLE_ERRORS)(
    "classifies an injected %s on a streamed download (body only in the message)",
    async (name) => {
      env.fake.faults.add({ routes: ["media"], error: name, retryAfterSeconds: 7, times: 1 });
      const error = await failureOf(openFileStream(env.drive, fileId));
      expect(error).toMatchObject(expected[name]);
      expect(error.retryAfterMs).toBe(7_000);
      expect(error.message).not.toMatch(/^\s*\{/);
    },
  );

  it("classifies Drive's own refusals: an unknown key, a Doc's bytes, a missing file", async () => {
    const docId = env.fake.tree.addDoc({ name: "Plan" });
    await expect(failureOf(openFileStream(env.drive, docId))).resolves.toMatchObject({
      kind: "notDownloadable",
    });
    await expect(
      failureOf(openFileStream(env.drive, "1missingFileId0000000000000000000")),
    ).resolves.toMatchObject({
      kind: "notFound",
    });
    const stranger = new DriveClients({ rootUrl: env.fake.rootUrl, retry: { maxAttempts: 1 } });
    const rejected = await failureOf(
      stranger
        .forApiKey("AIzaNotAKeyThisFakeKnows")
        .call("files.get", ({ signal }) =>
          stranger.forApiKey("AIzaNotAKeyThisFakeKnows").files.get({ fileId }, { signal }),
        ),
    );
    stranger.close();
    expect(rejected).toMatchObject({ kind: "configuration", status: 400 });
    expect(rejected.message).toContain("check the key in the Secret");
    expect(rejected.message).not.toContain("AIzaNotAKeyThisFakeKnows");
  });

  it("refuses an empty API key before calling Drive", () => {
    expect(() => env.clients.forApiKey(" ")).toThrow(
      expect.objectContaining({ kind: DriveErrorKind.Configuration }),
    );
  });

  it("classifies a call that gets no answer in time as a transient timeout", async () => {
    const slow = await startDriveUnderTest({ settings: { retry: { maxAttempts: 1 }, callTimeoutMs: 100 } });
    slow.fake.faults.add({ routes: ["get"], latencyMs: 2_000, times: 1 });
    const error = await failureOf(
      slow.drive.call("files.get", ({ signal }) => slow.drive.files.get({ fileId: "1any" }, { signal })),
    );
    await slow.close();
    expect(error).toMatchObject({ kind: "transient", reason: "timeout", retryable: true });
  });

  it("classifies a refused connection as transient, without the key from the URL in the message", async () => {
    await env.fake.close();
    const error = await failureOf(
      env.drive.call("files.get", ({ signal }) => env.drive.files.get({ fileId }, { signal })),
    );
    expect(error).toMatchObject({ kind: "transient", reason: "ECONNREFUSED", retryable: true });
    expect(error.message).toContain("key=REDACTED");
    env = await startDriveUnderTest(); // afterEach closes this one
  });

  it("reports an abort by the caller as aborted, not as a failure to retry", async () => {
    env.fake.faults.add({ routes: ["get"], latencyMs: 1_000, times: 1 });
    const controller = new AbortController();
    const call = env.drive.call("files.get", ({ signal }) => env.drive.files.get({ fileId }, { signal }), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(failureOf(call)).resolves.toMatchObject({ kind: "aborted", retryable: false });
  });
});

describe("scrubApiKey", () => {
  it("removes the value of every key= parameter, plain or encoded", () => {
    expect(scrubApiKey("GET https://www.googleapis.com/drive/v3/files?q=x&key=AIzaSecret&pageSize=1")).toBe(
      "GET https://www.googleapis.com/drive/v3/files?q=x&key=REDACTED&pageSize=1",
    );
    expect(scrubApiKey("url=%3Fkey%3DAIzaSecret failed")).toBe("url=%3Fkey%3DREDACTED failed");
    expect(scrubApiKey("?key=AIzaSecret")).toBe("?key=REDACTED");
  });

  it("leaves other parameters that merely end in 'key' alone", () => {
    expect(scrubApiKey("?resourcekey=0-abc&monkey=1")).toBe("?resourcekey=0-abc&monkey=1");
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
