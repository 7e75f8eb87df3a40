import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { FaultInjector } from "./faults.ts";
import { INJECTABLE_ERRORS, type FakeDrive, type InjectableError } from "./index.ts";
import { download, driveClient, failureOf, startTestDrive } from "./test-support.ts";

/** Status and reason Drive answers with for each injectable error (see DRIVE.md's table). */
const EXPECTED: Record<InjectableError, [number, string]> = {
  keyInvalid: [400, "badRequest"],
  forbidden: [403, "forbidden"],
  userRateLimitExceeded: [403, "userRateLimitExceeded"],
  rateLimitExceeded: [403, "rateLimitExceeded"],
  rateLimitExceeded429: [429, "rateLimitExceeded"],
  dailyLimitExceeded: [403, "dailyLimitExceeded"],
  downloadQuotaExceeded: [403, "downloadQuotaExceeded"],
  cannotDownloadAbusiveFile: [403, "cannotDownloadAbusiveFile"],
  cannotDownloadFile: [403, "cannotDownloadFile"],
  fileNotDownloadable: [403, "fileNotDownloadable"],
  notFound: [404, "notFound"],
  internalError: [500, "internalError"],
  backendError: [500, "backendError"],
  serviceUnavailable: [503, "backendError"],
};

describe("errors", () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let folderId: string;
  let fileId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    folderId = fake.tree.addFolder({ name: "f" });
    fileId = fake.tree.addFile({
      parentId: folderId,
      name: "a.png",
      image: { format: "png", width: 4, height: 4 },
    });
  });
  afterAll(() => fake.close());

  it.each(INJECTABLE_ERRORS)("injects %s on list, get and a streamed download", async (error) => {
    const [status, reason] = EXPECTED[error];
    fake.faults.add({ error, times: 3 });
    const calls = [
      () => client.files.list({ q: `'${folderId}' in parents` }),
      () => client.files.get({ fileId, fields: "id" }),
      () => download(client, fileId), // the body arrives only in err.message here
    ];
    for (const call of calls) expect(await failureOf(call)).toMatchObject({ status, reason });
    expect((await client.files.get({ fileId })).status).toBe(200);
  });

  it("sends Retry-After with a 429", async () => {
    fake.faults.add({ error: "rateLimitExceeded429", retryAfterSeconds: 7, times: 1 });
    const failure = await failureOf(() => client.files.get({ fileId }));
    expect(failure).toMatchObject({ status: 429, retryAfter: "7" });
    expect(failure.body).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
  });

  it("targets one route and one file, for the next N calls", async () => {
    const otherId = fake.tree.addFile({ parentId: folderId, name: "b.bin", size: 5 });
    fake.faults.add({ routes: ["media"], fileId, error: "downloadQuotaExceeded", times: 2 });
    expect((await client.files.get({ fileId })).status).toBe(200);
    expect((await download(client, otherId)).length).toBe(5);
    expect((await failureOf(() => download(client, fileId))).reason).toBe("downloadQuotaExceeded");
    expect((await failureOf(() => download(client, fileId))).reason).toBe("downloadQuotaExceeded");
    expect((await download(client, fileId)).length).toBeGreaterThan(0);
    expect(fake.faults.list()).toEqual([]);
  });

  it("keeps a per-file rule until it is removed", async () => {
    const ruleId = fake.faults.add({ fileId, routes: ["media"], error: "cannotDownloadAbusiveFile" });
    for (let i = 0; i < 3; i++) expect((await failureOf(() => download(client, fileId))).status).toBe(403);
    expect(fake.faults.list()).toMatchObject([{ id: ruleId, fired: 3 }]);
    fake.faults.remove(ruleId);
    expect((await download(client, fileId)).length).toBeGreaterThan(0);
  });

  it("draws probabilistic faults from a seed, so a run replays", () => {
    const pattern = (seed: number): boolean[] => {
      const injector = new FaultInjector(seed);
      injector.add({ probability: 0.3, error: "backendError" });
      return Array.from({ length: 200 }, () => injector.match("get", []).error !== undefined);
    };
    const first = pattern(42);
    expect(pattern(42)).toEqual(first);
    expect(pattern(43)).not.toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it("answers a missing API key 403 forbidden and an unknown one 400 API_KEY_INVALID", async () => {
    const missing = await fetch(`${fake.url}/drive/v3/files/${fileId}`);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({
      error: {
        code: 403,
        message: "The request is missing a valid API key.",
        errors: [
          { message: "The request is missing a valid API key.", domain: "global", reason: "forbidden" },
        ],
        status: "PERMISSION_DENIED",
      },
    });
    const unknown = await failureOf(() => driveClient(fake, "not-a-key").files.get({ fileId }));
    expect(unknown).toMatchObject({ status: 400, reason: "badRequest" });
    const error = (unknown.body as { error: { message: string; status: string; details: object[] } }).error;
    expect(error).toMatchObject({
      message: "API key not valid. Please pass a valid API key.",
      status: "INVALID_ARGUMENT",
    });
    expect(error.details[0]).toMatchObject({
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
    });
  });

  it("refuses unsupported query syntax with Drive's 400 invalid on q", async () => {
    for (const q of [
      "fullText contains 'x'",
      "'me' in owners",
      `name = "double"`,
      "trashed = maybe",
      "(name = 'a'",
    ]) {
      const failure = await failureOf(() => client.files.list({ q }));
      expect(failure).toMatchObject({ status: 400, reason: "invalid", message: "Invalid Value" });
      expect(failure.body).toMatchObject({
        error: { errors: [{ location: "q", locationType: "parameter" }] },
      });
    }
  });

  it("counts requests by route, status, key and file", async () => {
    fake.stats.reset();
    fake.faults.add({ fileId, error: "internalError", times: 1 });
    await failureOf(() => client.files.get({ fileId }));
    await client.files.get({ fileId });
    await download(client, fileId);
    await client.files.list({ q: `'${folderId}' in parents` });
    const stats = fake.stats.snapshot();
    expect(stats).toMatchObject({
      requests: 4,
      admitted: 4,
      byRoute: { list: 1, get: 2, media: 1 },
      byStatus: { 200: 3, 500: 1 },
      byKey: { "key-1": 4 },
    });
    expect(stats.byFile[fileId]).toEqual({ get: 2, media: 1 });
    expect(stats.byFile[folderId]).toEqual({ list: 1 });
  });
});
