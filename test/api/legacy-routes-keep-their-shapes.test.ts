/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON: the assertions are what check their shape. */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageImportApi } from "../../lib/imageimport/index.ts";
import {
  call,
  callerWith,
  createNamespace,
  folderUrl,
  imageRow,
  readImport,
  recordFiles,
  recordImport,
  startApi,
  staticToken,
  writeStatus,
  type RunningApi,
} from "./harness.ts";
import { adminKubeConfig } from "../support/stack.ts";

const { group, version, plural } = imageImportApi;

/** The older API's documented shapes (LEGACY-API.md), key for key. */
const legacyJobKeys = [
  "id",
  "status",
  "progress",
  "totalImages",
  "processedImages",
  "failedImages",
  "startedAt",
  "updatedAt",
];
const legacyImageKeys = [
  "id",
  "name",
  "google_drive_id",
  "size",
  "mime_type",
  "storage_path",
  "source",
  "created_at",
];

describe("the older system's routes", () => {
  let api: RunningApi;
  let namespace: string;
  let editor: string;
  let viewer: string;
  let stranger: string;

  beforeAll(async () => {
    namespace = await createNamespace(adminKubeConfig(), "legacy");
    api = await startApi({ defaultNamespace: namespace });
    [editor, viewer, stranger] = await Promise.all([
      callerWith(api.admin, namespace, "editor", ["create", "get", "list"]),
      callerWith(api.admin, namespace, "viewer", ["get", "list"]),
      callerWith(api.admin, namespace, "stranger", []),
    ]);
  });

  afterAll(async () => {
    await api.close();
  });

  async function nameOfUid(uid: string): Promise<string> {
    const list = (await api.admin
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group, version, namespace, plural })) as {
      items: { metadata: { name: string; uid: string } }[];
    };
    const match = list.items.find((item) => item.metadata.uid === uid);
    if (match === undefined) throw new Error(`no ImageImport with uid ${uid}`);
    return match.metadata.name;
  }

  it("POST /api/import/google-drive starts an import in the default namespace and answers as before", async () => {
    const answer = await call(api, "POST", "/api/import/google-drive", {
      token: editor,
      body: { folderUrl },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      success: true,
      jobId: expect.any(String),
      message: "Import job started successfully",
      status: "waiting",
    });
    const name = await nameOfUid(answer.body.jobId);
    expect((await readImport(api.admin, namespace, name)).spec.source.googleDrive.folderUrl).toBe(folderUrl);

    const bad = await call(api, "POST", "/api/import/google-drive", {
      token: editor,
      body: { folderUrl: "https://drive.google.com/drive/my-drive" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      success: false,
      error: expect.stringMatching(/^Invalid Google Drive URL: folderUrl must be/),
    });

    const anonymous = await call(api, "POST", "/api/import/google-drive", { body: { folderUrl } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ success: false, error: expect.any(String) });
    const forbidden = await call(api, "POST", "/api/import/google-drive", {
      token: viewer,
      body: { folderUrl },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ success: false, error: expect.stringContaining("may not create") });
  });

  it("GET /api/jobs/:jobId answers at once, then from PostgreSQL, and still after the resource is gone", async () => {
    const started = await call(api, "POST", "/api/import/google-drive", {
      token: editor,
      body: { folderUrl },
    });
    const jobId: string = started.body.jobId;

    // Before the operator records it, the job is the fresh resource: waiting, nothing counted.
    const fresh = await call(api, "GET", `/api/jobs/${jobId}`, { token: viewer });
    expect(fresh.status).toBe(200);
    expect(Object.keys(fresh.body.job)).toEqual(legacyJobKeys);
    expect(fresh.body).toEqual({
      success: true,
      job: expect.objectContaining({
        id: jobId,
        status: "waiting",
        progress: 0,
        totalImages: 0,
        processedImages: 0,
        failedImages: 0,
      }),
    });

    // Once recorded: counts from import_files; non-images do not count as images.
    const name = await nameOfUid(jobId);
    await recordImport(api.db, { uid: jobId, namespace, name, state: "running" });
    await recordFiles(api.db, jobId, [
      { file_id: "a", state: "succeeded" },
      { file_id: "b", state: "failed", error_reason: "NotFound" },
      { file_id: "c", state: "queued" },
      { file_id: "d", state: "in_progress" },
      { file_id: "e", state: "skipped", error_reason: "MimeTypeExcluded", mime_type: "application/pdf" },
    ]);
    const running = await call(api, "GET", `/api/jobs/${jobId}`, { token: viewer });
    expect(running.body.job).toMatchObject({
      status: "active",
      progress: 50,
      totalImages: 4,
      processedImages: 2,
      failedImages: 1,
    });

    await api.db.updateTable("imports").set({ state: "succeeded" }).where("uid", "=", jobId).execute();
    await api.admin
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ group, version, namespace, plural, name });
    const afterDeletion = await call(api, "GET", `/api/jobs/${jobId}`, { token: viewer });
    expect(afterDeletion.status).toBe(200);
    expect(afterDeletion.body.job).toMatchObject({ id: jobId, status: "completed", progress: 100 });

    expect((await call(api, "GET", `/api/jobs/${jobId}`, { token: stranger })).status).toBe(403);
    expect((await call(api, "GET", `/api/jobs/${jobId}`)).status).toBe(401);
    const unknown = await call(api, "GET", "/api/jobs/7d0a1f3e-0000-4000-8000-000000000000", {
      token: viewer,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      success: false,
      error: "job 7d0a1f3e-0000-4000-8000-000000000000 not found",
    });
  });

  it("maps import states onto the four job states", async () => {
    const started = await call(api, "POST", "/api/import/google-drive", {
      token: editor,
      body: { folderUrl },
    });
    const jobId: string = started.body.jobId;
    const name = await nameOfUid(jobId);
    await writeStatus(api.admin, namespace, name, { phase: "Running", progress: { total: 4, succeeded: 1 } });
    const unrecorded = await call(api, "GET", `/api/jobs/${jobId}`, { token: viewer });
    expect(unrecorded.body.job).toMatchObject({
      status: "active",
      totalImages: 4,
      processedImages: 1,
      progress: 25,
    });

    await recordImport(api.db, { uid: jobId, namespace, name, state: "listing" });
    const states = {
      listing: "waiting",
      suspended: "active",
      failed: "failed",
      cancelled: "failed",
      pending: "waiting",
    } as const;
    for (const [state, status] of Object.entries(states)) {
      await api.db
        .updateTable("imports")
        .set({ state: state as keyof typeof states })
        .where("uid", "=", jobId)
        .execute();
      expect((await call(api, "GET", `/api/jobs/${jobId}`, { token: viewer })).body.job.status).toBe(status);
    }
  });

  it("GET /api/images takes source, limit and offset and answers with data and pagination", async () => {
    const uid = "3b0e1f2a-1111-4111-8111-000000000001";
    await recordImport(api.db, { uid, namespace, name: "listed" });
    for (let n = 1; n <= 5; n++) {
      const row = imageRow(uid, api.bucket, n, { source: n === 5 ? "dropbox" : "google-drive" });
      await api.db.insertInto("images").values(row).execute();
      await api.s3.send(
        new PutObjectCommand({ Bucket: api.bucket, Key: row.object_key, Body: `image ${n}` }),
      );
    }
    const answer = await call(api, "GET", "/api/images?source=google-drive&limit=2&offset=1", {
      token: viewer,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(true);
    expect(answer.body.pagination).toMatchObject({ total: 4, limit: 2, offset: 1, hasMore: true });
    expect(answer.body.data).toHaveLength(2);
    for (const image of answer.body.data as Record<string, unknown>[]) {
      for (const key of legacyImageKeys) expect(image).toHaveProperty(key);
      expect(image.source).toBe("google-drive");
      expect(new Date(image.created_at as string).toISOString()).toBe(image.created_at);
      const fetched = await fetch(image.storage_path as string);
      expect(fetched.status).toBe(200);
      expect(await fetched.text()).toMatch(/^image [1-4]$/);
    }
    const defaults = await call(api, "GET", "/api/images", { token: viewer });
    expect(defaults.body.pagination).toMatchObject({ limit: 100, offset: 0, total: 5, hasMore: false });
  });

  it("GET /api/stats answers with totals, sources and the last import", async () => {
    const answer = await call(api, "GET", "/api/stats", { token: viewer });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      success: true,
      stats: {
        totalImages: expect.any(Number),
        totalSize: expect.any(Number),
        sources: expect.objectContaining({ "google-drive": expect.any(Number) }),
        lastImport: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
  });

  it("GET /api/health reports healthy without a token, and the dropbox placeholder still answers 501", async () => {
    const health = await call(api, "GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      success: true,
      service: "api",
      timestamp: expect.any(String),
      uptime: expect.any(Number),
      status: "healthy",
      checks: { kubernetes: "ok", database: "ok" },
    });
    const dropbox = await call(api, "POST", "/api/import/dropbox", { token: staticToken, body: {} });
    expect(dropbox.status).toBe(501);
    expect(dropbox.body).toEqual({
      success: false,
      error: expect.stringContaining("Google Drive folders only"),
    });
    expect((await call(api, "POST", "/api/import/dropbox", { body: {} })).status).toBe(401);
  });
});
