/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON: the assertions are what check their shape. */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageImportApi } from "../../lib/imageimport/index.ts";
import {
  call,
  callerWith,
  createImport,
  createNamespace,
  folderUrl,
  readImport,
  recordFiles,
  recordImport,
  startApi,
  writeStatus,
  type RunningApi,
} from "./harness.ts";

const { group, version, plural } = imageImportApi;

describe("the imports routes, under Kubernetes RBAC", () => {
  let api: RunningApi;
  let namespace: string;
  let otherNamespace: string;
  let editor: string;
  let viewer: string;
  let stranger: string;

  beforeAll(async () => {
    api = await startApi();
    namespace = await createNamespace(api.admin, "imports");
    otherNamespace = await createNamespace(api.admin, "imports-other");
    [editor, viewer, stranger] = await Promise.all([
      callerWith(api.admin, namespace, "editor", ["create", "get", "list", "watch", "patch", "delete"]),
      callerWith(api.admin, namespace, "viewer", ["get", "list", "watch"]),
      callerWith(api.admin, namespace, "stranger", []),
    ]);
  });

  afterAll(async () => {
    await api.close();
  });

  async function importsIn(ns: string): Promise<string[]> {
    const list = (await api.admin
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group, version, namespace: ns, plural })) as {
      items: { metadata: { name: string } }[];
    };
    return list.items.map((item) => item.metadata.name);
  }

  it("creates an ImageImport for a caller allowed to, answering 201 with its id and state", async () => {
    const answer = await call(api, "POST", "/api/imports", {
      token: editor,
      body: {
        folderUrl,
        name: "holiday",
        namespace,
        recursive: false,
        destination: { prefix: `${namespace}/trips/` },
        parallelism: 10,
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get("location")).toBe(`/api/imports/${namespace}/holiday`);
    const stored = await readImport(api.admin, namespace, "holiday");
    expect(answer.body).toMatchObject({
      success: true,
      data: {
        id: stored.metadata.uid,
        namespace,
        name: "holiday",
        state: "pending",
        finished: false,
        folderUrl,
        recursive: false,
      },
    });
    expect(stored.spec).toMatchObject({
      source: { googleDrive: { folderUrl, recursive: false } },
      destination: { prefix: `${namespace}/trips/` },
      parallelism: 10,
    });

    const generated = await call(api, "POST", "/api/imports", {
      token: editor,
      body: { folderUrl, namespace },
    });
    expect(generated.status).toBe(201);
    expect(generated.body.data.name).toMatch(/^import-[a-z0-9]+$/);

    const again = await call(api, "POST", "/api/imports", {
      token: editor,
      body: { folderUrl, name: "holiday", namespace },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("IMPORT_EXISTS");
  });

  it("refuses to create for a caller without a token, with a bad token or without the create verb", async () => {
    const body = { folderUrl, name: "refused", namespace };
    const anonymous = await call(api, "POST", "/api/imports", { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
    expect(anonymous.body).toEqual({
      success: false,
      error: { code: "UNAUTHENTICATED", message: expect.stringContaining("Authorization: Bearer") },
    });

    const forged = await call(api, "POST", "/api/imports", { token: "not-a-real-token", body });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe("INVALID_TOKEN");

    for (const token of [viewer, stranger]) {
      const forbidden = await call(api, "POST", "/api/imports", { token, body });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error).toEqual({
        code: "FORBIDDEN",
        message: expect.stringContaining(
          `may not create imageimports.imagesync.io in namespace ${namespace}`,
        ),
      });
    }
    const elsewhere = await call(api, "POST", "/api/imports", {
      token: editor,
      body: { ...body, namespace: otherNamespace },
    });
    expect(elsewhere.status).toBe(403);

    expect(await importsIn(namespace)).not.toContain("refused");
    expect(await importsIn(otherNamespace)).toEqual([]);
  });

  it("lists a namespace's imports by state, a page at a time, to callers who may list there", async () => {
    const ns = await createNamespace(api.admin, "listing");
    const reader = await callerWith(api.admin, ns, "reader", ["list"]);
    for (const name of ["a-running", "b-failed", "c-running"]) await createImport(api.admin, ns, name);
    await writeStatus(api.admin, ns, "a-running", { phase: "Running" });
    await writeStatus(api.admin, ns, "b-failed", { phase: "Failed" });
    await writeStatus(api.admin, ns, "c-running", { phase: "Running" });
    await createImport(api.admin, otherNamespace, "not-yours");

    const first = await call(api, "GET", `/api/imports?namespace=${ns}&limit=2`, { token: reader });
    expect(first.status).toBe(200);
    expect(first.body.data.map((i: { name: string }) => i.name)).toEqual(["a-running", "b-failed"]);
    expect(first.body.pagination).toEqual({ limit: 2, continue: expect.any(String) });
    const second = await call(
      api,
      "GET",
      `/api/imports?namespace=${ns}&limit=2&continue=${encodeURIComponent(first.body.pagination.continue)}`,
      { token: reader },
    );
    expect(second.body.data.map((i: { name: string }) => i.name)).toEqual(["c-running"]);
    expect(second.body.pagination.continue).toBeNull();

    const running = await call(api, "GET", `/api/imports?namespace=${ns}&state=running`, { token: reader });
    expect(running.body.data.map((i: { name: string; state: string }) => [i.name, i.state])).toEqual([
      ["a-running", "running"],
      ["c-running", "running"],
    ]);

    // Without a namespace a caller sees every namespace they may list, and only those.
    const everywhere = await call(api, "GET", "/api/imports?limit=500", { token: reader });
    expect(everywhere.status).toBe(200);
    expect(new Set(everywhere.body.data.map((i: { namespace: string }) => i.namespace))).toEqual(
      new Set([ns]),
    );

    expect((await call(api, "GET", `/api/imports?namespace=${ns}`, { token: stranger })).status).toBe(403);
    expect((await call(api, "GET", `/api/imports?limit=500`, { token: stranger })).body.data).toEqual([]);
    expect((await call(api, "GET", `/api/imports?namespace=${ns}`)).status).toBe(401);
  });

  it("shows one import's state, counters, conditions and failures to callers who may get it", async () => {
    const created = await createImport(api.admin, namespace, "detailed");
    await writeStatus(api.admin, namespace, "detailed", {
      phase: "Running",
      progress: { total: 5, queued: 2, succeeded: 2, failed: 1, bytesStored: 2048 },
      conditions: [
        {
          type: "Succeeded",
          status: "Unknown",
          reason: "Running",
          message: "2 of 5 files stored",
          lastTransitionTime: "2025-01-01T00:00:00Z",
        },
      ],
      failures: [{ fileId: "f-9", path: "/a/b.jpg", reason: "NotFound", message: "gone", attempts: 1 }],
      startTime: "2025-01-01T00:00:00Z",
    });

    const answer = await call(api, "GET", `/api/imports/${namespace}/detailed`, { token: viewer });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      id: created.metadata.uid,
      state: "running",
      progress: { total: 5, queued: 2, succeeded: 2, failed: 1, skipped: 0, bytesStored: 2048 },
      conditions: [
        { type: "Succeeded", status: "Unknown", reason: "Running", message: "2 of 5 files stored" },
      ],
      failures: [{ fileId: "f-9", path: "/a/b.jpg", reason: "NotFound", message: "gone", attempts: 1 }],
      startTime: "2025-01-01T00:00:00Z",
      completionTime: null,
    });

    expect((await call(api, "GET", `/api/imports/${namespace}/detailed`, { token: stranger })).status).toBe(
      403,
    );
    expect((await call(api, "GET", `/api/imports/${namespace}/detailed`)).status).toBe(401);
    const missing = await call(api, "GET", `/api/imports/${namespace}/no-such-import`, { token: viewer });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: "IMPORT_NOT_FOUND",
      message: `ImageImport ${namespace}/no-such-import not found`,
    });
  });

  it("lists an import's files from PostgreSQL, by state and a page at a time", async () => {
    const created = await createImport(api.admin, namespace, "with-files");
    const uid = created.metadata.uid;
    await recordImport(api.db, { uid, namespace, name: "with-files" });
    await recordFiles(api.db, uid, [
      { file_id: "f1", state: "succeeded" },
      {
        file_id: "f2",
        state: "failed",
        error_reason: "NotFound",
        error_message: "file was deleted",
        attempts: 1,
      },
      {
        file_id: "f3",
        state: "failed",
        error_reason: "DownloadQuotaExceeded",
        error_message: "quota",
        attempts: 5,
      },
      { file_id: "f4", state: "queued" },
      { file_id: "f5", state: "failed", error_reason: "ChecksumMismatch", error_message: "md5", attempts: 5 },
    ]);

    const first = await call(api, "GET", `/api/imports/${namespace}/with-files/files?state=failed&limit=2`, {
      token: viewer,
    });
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      expect.objectContaining({
        fileId: "f2",
        state: "failed",
        errorReason: "NotFound",
        errorMessage: "file was deleted",
        attempts: 1,
      }),
      expect.objectContaining({
        fileId: "f3",
        state: "failed",
        errorReason: "DownloadQuotaExceeded",
        attempts: 5,
      }),
    ]);
    const second = await call(
      api,
      "GET",
      `/api/imports/${namespace}/with-files/files?state=failed&limit=2&cursor=${first.body.pagination.nextCursor}`,
      { token: viewer },
    );
    expect(second.body.data.map((f: { fileId: string }) => f.fileId)).toEqual(["f5"]);
    expect(second.body.pagination.nextCursor).toBeNull();

    const all = await call(api, "GET", `/api/imports/${namespace}/with-files/files`, { token: viewer });
    expect(all.body.data).toHaveLength(5);
    expect(
      (await call(api, "GET", `/api/imports/${namespace}/with-files/files`, { token: stranger })).status,
    ).toBe(403);
    expect((await call(api, "GET", `/api/imports/${namespace}/with-files/files`)).status).toBe(401);
  });

  it("suspends, resumes and cancels by patching the spec, for callers who may patch", async () => {
    await createImport(api.admin, namespace, "controlled");
    const path = `/api/imports/${namespace}/controlled`;

    const suspended = await call(api, "POST", `${path}/suspend`, { token: editor });
    expect(suspended.status).toBe(200);
    expect(suspended.body.data.suspend).toBe(true);
    expect((await readImport(api.admin, namespace, "controlled")).spec.suspend).toBe(true);

    const resumed = await call(api, "POST", `${path}/resume`, { token: editor });
    expect(resumed.body.data.suspend).toBe(false);
    expect((await readImport(api.admin, namespace, "controlled")).spec.suspend).toBe(false);

    for (const action of ["suspend", "resume", "cancel", "retry-failed"]) {
      const forbidden = await call(api, "POST", `${path}/${action}`, { token: viewer });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.message).toContain("may not patch");
      expect((await call(api, "POST", `${path}/${action}`)).status).toBe(401);
    }

    const cancelled = await call(api, "POST", `${path}/cancel`, { token: editor });
    expect(cancelled.status).toBe(200);
    expect((await readImport(api.admin, namespace, "controlled")).spec.cancel).toBe(true);
    await writeStatus(api.admin, namespace, "controlled", { phase: "Cancelled" });
    const retryCancelled = await call(api, "POST", `${path}/retry-failed`, { token: editor });
    expect(retryCancelled.status).toBe(409);
    expect(retryCancelled.body.error.code).toBe("IMPORT_CANCELLED");

    expect(
      (await call(api, "POST", `/api/imports/${namespace}/nothing-here/cancel`, { token: editor })).status,
    ).toBe(404);
  });

  it("retries failed files of a finished import by raising retryGeneration, and only then", async () => {
    const created = await createImport(api.admin, namespace, "retried");
    const path = `/api/imports/${namespace}/retried/retry-failed`;
    await writeStatus(api.admin, namespace, "retried", { phase: "Running" });
    const early = await call(api, "POST", path, { token: editor });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("IMPORT_NOT_FINISHED");

    await writeStatus(api.admin, namespace, "retried", { phase: "Failed" });
    await recordImport(api.db, { uid: created.metadata.uid, namespace, name: "retried", state: "failed" });
    const nothingFailed = await call(api, "POST", path, { token: editor });
    expect(nothingFailed.status).toBe(409);
    expect(nothingFailed.body.error.code).toBe("NO_FAILED_FILES");

    await recordFiles(api.db, created.metadata.uid, [
      { file_id: "x1", state: "failed", error_reason: "NotFound" },
    ]);
    const retried = await call(api, "POST", path, { token: editor });
    expect(retried.status).toBe(200);
    expect(retried.body.data.retryGeneration).toBe(1);
    expect((await readImport(api.admin, namespace, "retried")).spec.retryGeneration).toBe(1);
  });

  it("deletes an ImageImport for callers who may delete it", async () => {
    await createImport(api.admin, namespace, "doomed");
    expect((await call(api, "DELETE", `/api/imports/${namespace}/doomed`, { token: viewer })).status).toBe(
      403,
    );
    expect((await call(api, "DELETE", `/api/imports/${namespace}/doomed`)).status).toBe(401);
    expect(await importsIn(namespace)).toContain("doomed");

    const deleted = await call(api, "DELETE", `/api/imports/${namespace}/doomed`, { token: editor });
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual({ success: true, message: expect.stringContaining("stored images stay") });
    expect(await importsIn(namespace)).not.toContain("doomed");
    expect((await call(api, "DELETE", `/api/imports/${namespace}/doomed`, { token: editor })).status).toBe(
      404,
    );
  });
});
