/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON: the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { folderUrlMessages } from "../../lib/imageimport/index.ts";
import {
  call,
  createImport,
  createNamespace,
  folderUrl,
  startApi,
  staticToken,
  type RunningApi,
} from "./harness.ts";

interface BadRequest {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  code?: string;
  /** Words the message must contain, so it tells the caller what to fix. */
  says: string;
}

describe("bad input", () => {
  let api: RunningApi;
  let namespace: string;

  beforeAll(async () => {
    api = await startApi({ bodyLimitBytes: 4_096 });
    namespace = await createNamespace(api.admin, "bad-input");
    await createImport(api.admin, namespace, "exists");
  });

  afterAll(async () => {
    await api.close();
  });

  const imports = "/api/imports";
  const cases = (): BadRequest[] => [
    // Folder links, checked like the CRD checks them, before anything is created.
    ...[
      ["a file link", "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view", folderUrlMessages.fileLink],
      [
        "another host",
        "https://example.com/drive/folders/1AbCdEfGhIjKlMnOp",
        folderUrlMessages.notAFolderLink,
      ],
      [
        "plain http",
        "http://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp",
        folderUrlMessages.notAFolderLink,
      ],
      ["a too short id", "https://drive.google.com/drive/folders/short", folderUrlMessages.notAFolderLink],
      ["not a URL", "not a url at all", folderUrlMessages.notAFolderLink],
    ].map(([kind, url, message]): BadRequest => ({
      what: `a folder URL that is ${kind}`,
      method: "POST",
      path: imports,
      body: { folderUrl: url, namespace },
      status: 400,
      code: "INVALID_FOLDER_URL",
      says: message ?? "",
    })),
    {
      what: "an empty folder URL",
      method: "POST",
      path: imports,
      body: { folderUrl: "" },
      status: 400,
      says: "folderUrl",
    },
    {
      what: "a missing folder URL",
      method: "POST",
      path: imports,
      body: { namespace },
      status: 400,
      says: "missing field 'folderUrl'",
    },
    {
      what: "an unknown field",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, recursve: true },
      status: 400,
      code: "INVALID_REQUEST",
      says: "unknown field 'recursve'",
    },
    {
      what: "an unknown nested field",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, destination: { bukket: "x" } },
      status: 400,
      says: "unknown field 'bukket' in 'destination'",
    },
    {
      what: "a string where a boolean belongs",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, recursive: "yes" },
      status: 400,
      says: "field 'recursive' must be boolean",
    },
    {
      what: "a number out of range",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, parallelism: 0 },
      status: 400,
      says: "field 'parallelism' must be >= 1",
    },
    {
      what: "an invalid name",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, name: "Not_Valid" },
      status: 400,
      says: "field 'name' must match pattern",
    },
    {
      what: "a bad MIME type pattern",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, mimeTypes: ["images"] },
      status: 400,
      says: "field 'mimeTypes.0'",
    },
    {
      what: "an array body",
      method: "POST",
      path: imports,
      body: [folderUrl],
      status: 400,
      says: "the body must be object",
    },
    {
      what: "malformed JSON",
      method: "POST",
      path: imports,
      rawBody: '{"folderUrl": ',
      headers: { "content-type": "application/json" },
      status: 400,
      code: "INVALID_JSON",
      says: "not valid JSON",
    },
    {
      what: "a body that is not JSON",
      method: "POST",
      path: imports,
      rawBody: "folderUrl=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      says: "application/json",
    },
    {
      what: "a body over the size limit",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, name: "x".repeat(5_000) },
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      says: "larger than 4096 bytes",
    },
    {
      what: "a namespace that does not exist",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace: "no-such-namespace-here" },
      status: 404,
      code: "NAMESPACE_NOT_FOUND",
      says: "namespace no-such-namespace-here does not exist",
    },
    {
      what: "a destination prefix outside the import's namespace (the admission policy)",
      method: "POST",
      path: imports,
      body: { folderUrl, namespace, destination: { prefix: "someone-else/" } },
      status: 422,
      code: "IMPORT_REJECTED",
      says: `spec.destination.prefix "someone-else/" must start with "${namespace}/"`,
    },
    // Listing imports.
    {
      what: "a huge page size",
      method: "GET",
      path: `${imports}?limit=100000`,
      status: 400,
      says: "query parameter 'limit' must be <= 500",
    },
    {
      what: "a negative page size",
      method: "GET",
      path: `${imports}?limit=-1`,
      status: 400,
      says: "'limit' must be >= 1",
    },
    {
      what: "a page size that is not a number",
      method: "GET",
      path: `${imports}?limit=ten`,
      status: 400,
      says: "'limit' must be integer",
    },
    {
      what: "an unknown state",
      method: "GET",
      path: `${imports}?state=done`,
      status: 400,
      says: "query parameter 'state'",
    },
    {
      what: "an unknown query parameter",
      method: "GET",
      path: `${imports}?namspace=x`,
      status: 400,
      says: "unknown query parameter 'namspace'",
    },
    {
      what: "a forged continue token",
      method: "GET",
      path: `${imports}?namespace=${namespace}&continue=garbage`,
      status: 400,
      code: "INVALID_CONTINUE_TOKEN",
      says: "continue",
    },
    {
      what: "an invalid namespace in the path",
      method: "GET",
      path: `${imports}/Bad_NS/x`,
      status: 400,
      says: "path parameter 'namespace'",
    },
    {
      what: "a forged file cursor",
      method: "GET",
      path: `${imports}/${namespace}/exists/files?cursor=bm9wZQ`,
      status: 400,
      code: "INVALID_CURSOR",
      says: "nextCursor",
    },
    {
      what: "an unknown file state",
      method: "GET",
      path: `${imports}/${namespace}/exists/files?state=lost`,
      status: 400,
      says: "'state'",
    },
    {
      what: "a body on an action",
      method: "POST",
      path: `${imports}/${namespace}/exists/cancel`,
      rawBody: "{oops",
      headers: { "content-type": "application/json" },
      status: 400,
      says: "not valid JSON",
    },
    // Images: the older route with new parameters; errors keep the older shape.
    {
      what: "a huge image page",
      method: "GET",
      path: "/api/images?limit=1000000",
      status: 400,
      says: "'limit' must be <= 1000",
    },
    {
      what: "a negative offset",
      method: "GET",
      path: "/api/images?offset=-5",
      status: 400,
      says: "'offset' must be >= 0",
    },
    {
      what: "an offset in words",
      method: "GET",
      path: "/api/images?offset=ten",
      status: 400,
      says: "'offset' must be integer",
    },
    {
      what: "an absurd offset",
      method: "GET",
      path: "/api/images?offset=1e30",
      status: 400,
      says: "'offset'",
    },
    {
      what: "a forged cursor",
      method: "GET",
      path: "/api/images?cursor=not-a-cursor",
      status: 400,
      says: "nextCursor",
    },
    {
      what: "a cursor and an offset together",
      method: "GET",
      path: "/api/images?cursor=WyJpbWFnZXMiLCIxMCJd&offset=5",
      status: 400,
      says: "either cursor or offset",
    },
    {
      what: "a date that is not one",
      method: "GET",
      path: "/api/images?createdAfter=yesterday",
      status: 400,
      says: "date-time",
    },
    {
      what: "a reversed date range",
      method: "GET",
      path: "/api/images?createdAfter=2025-02-01T00:00:00Z&createdBefore=2025-01-01T00:00:00Z",
      status: 400,
      says: "createdAfter must be earlier than createdBefore",
    },
    {
      what: "a bad MIME filter",
      method: "GET",
      path: "/api/images?mimeType=jpeg",
      status: 400,
      says: "'mimeType'",
    },
    {
      what: "a repeated parameter",
      method: "GET",
      path: "/api/images?limit=1&limit=2",
      status: 400,
      says: "'limit'",
    },
    {
      what: "an unknown image parameter",
      method: "GET",
      path: "/api/images?sort=asc",
      status: 400,
      says: "unknown query parameter 'sort'",
    },
    {
      what: "an image id in words",
      method: "GET",
      path: "/api/images/abc",
      status: 400,
      says: "path parameter 'id'",
    },
    { what: "image id zero", method: "GET", path: "/api/images/0", status: 400, says: "path parameter 'id'" },
    {
      what: "an image id beyond 64 bits",
      method: "DELETE",
      path: "/api/images/99999999999999999999",
      status: 400,
      says: "'id'",
    },
    {
      what: "an unknown image",
      method: "GET",
      path: "/api/images/424242",
      status: 404,
      says: "image 424242 not found",
    },
    {
      what: "a job id with odd characters",
      method: "GET",
      path: "/api/jobs/abc$def",
      status: 400,
      says: "'jobId'",
    },
    {
      what: "an unknown job",
      method: "GET",
      path: "/api/jobs/00000000-0000-0000-0000-000000000000",
      status: 404,
      says: "not found",
    },
    {
      what: "a legacy import without a folder",
      method: "POST",
      path: "/api/import/google-drive",
      body: { url: folderUrl },
      status: 400,
      says: "unknown field 'url'",
    },
    {
      what: "an unknown stats parameter",
      method: "GET",
      path: "/api/stats?from=2020",
      status: 400,
      says: "unknown query parameter 'from'",
    },
    {
      what: "an unknown route",
      method: "GET",
      path: "/api/imprts",
      status: 404,
      code: "ROUTE_NOT_FOUND",
      says: "/docs",
    },
  ];

  it("answers every kind of bad input with a 4xx and a message naming the problem, never a 5xx", async () => {
    for (const bad of cases()) {
      const answer = await call(api, bad.method, bad.path, {
        token: staticToken,
        ...(bad.body === undefined ? {} : { body: bad.body }),
        ...(bad.rawBody === undefined ? {} : { rawBody: bad.rawBody }),
        ...(bad.headers === undefined ? {} : { headers: bad.headers }),
      });
      const legacy = !bad.path.startsWith("/api/imports") && !bad.path.startsWith("/api/imprts");
      const message: unknown = legacy ? answer.body.error : answer.body.error?.message;
      expect({ what: bad.what, status: answer.status }).toEqual({ what: bad.what, status: bad.status });
      expect(answer.body.success, bad.what).toBe(false);
      expect(message, bad.what).toEqual(expect.stringContaining(bad.says));
      if (!legacy && bad.code !== undefined) expect(answer.body.error.code, bad.what).toBe(bad.code);
    }
  });

  it("keeps the older routes' error shape, a sentence under `error`", async () => {
    const answer = await call(api, "POST", "/api/import/google-drive", {
      token: staticToken,
      body: { folderUrl: "https://example.com/not-drive" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      success: false,
      error: `Invalid Google Drive URL: ${folderUrlMessages.notAFolderLink}`,
    });
  });
});
