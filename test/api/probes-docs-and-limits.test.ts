/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON: the assertions are what check their shape. */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, folderUrl, startApi, staticToken, type RunningApi } from "./harness.ts";

/** A loopback port nothing listens on: a dependency that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("probes, docs and limits", () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ rateLimitPerMinute: 5, corsOrigins: ["https://app.example.com"] });
  });

  afterAll(async () => {
    await api.close();
  });

  it("serves liveness, readiness and metrics without a token", async () => {
    expect(await call(api, "GET", "/livez")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await call(api, "GET", "/readyz")).toMatchObject({
      status: 200,
      body: { status: "ready", checks: { kubernetes: "ok", database: "ok" } },
    });
    await call(api, "GET", "/api/images/1", { token: staticToken });
    const metrics = await call(api, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(
      /^imagesync_api_requests_total\{method="GET",route="\/api\/images\/:id",status_code="404"\} 1$/m,
    );
    expect(metrics.body).toContain("imagesync_api_request_duration_seconds_bucket");
    expect(metrics.body).toContain("process_cpu_seconds_total");
  });

  it("publishes an OpenAPI document of every route, and Swagger UI", async () => {
    const document = await call(api, "GET", "/openapi.json");
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe("3.1.0");
    const paths = Object.keys(document.body.paths as object);
    for (const path of [
      "/api/imports",
      "/api/imports/{namespace}/{name}",
      "/api/imports/{namespace}/{name}/files",
      "/api/imports/{namespace}/{name}/events",
      "/api/imports/{namespace}/{name}/cancel",
      "/api/imports/{namespace}/{name}/suspend",
      "/api/imports/{namespace}/{name}/resume",
      "/api/imports/{namespace}/{name}/retry-failed",
      "/api/images",
      "/api/images/{id}",
      "/api/stats",
      "/api/import/google-drive",
      "/api/jobs/{jobId}",
      "/api/health",
      "/livez",
      "/readyz",
    ]) {
      expect(paths).toContain(path);
    }
    const createImport = document.body.paths["/api/imports"].post;
    expect(createImport.requestBody.content["application/json"].schema).toMatchObject({
      additionalProperties: false,
      required: ["folderUrl"],
    });
    const docs = await fetch(`${api.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger-ui");
  });

  it("rate-limits /api calls per client, but never the probes", async () => {
    const limited = await startApi({ rateLimitPerMinute: 2 });
    try {
      for (let n = 0; n < 2; n++)
        expect((await call(limited, "GET", "/api/stats", { token: staticToken })).status).toBe(200);
      const refused = await call(limited, "GET", "/api/imports", { token: staticToken });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(refused.body.error).toEqual({
        code: "RATE_LIMITED",
        message: expect.stringContaining("retry in"),
      });
      const legacy = await call(limited, "GET", "/api/images", { token: staticToken });
      expect(legacy.body).toEqual({ success: false, error: expect.stringContaining("too many requests") });
      for (let n = 0; n < 4; n++) expect((await call(limited, "GET", "/livez")).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("answers CORS preflights only for configured origins", async () => {
    const allowed = await fetch(`${api.url}/api/images`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "GET" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const other = await fetch(`${api.url}/api/images`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("reports 503 with the failed dependency when PostgreSQL or Kubernetes is down", async () => {
    const port = await closedPort();
    const noDatabase = await startApi({}, { databaseUrl: `postgres://postgres@127.0.0.1:${port}/none` });
    try {
      expect(await call(noDatabase, "GET", "/readyz")).toMatchObject({
        status: 503,
        body: { status: "unready", checks: { kubernetes: "ok", database: "DATABASE_UNAVAILABLE" } },
      });
      expect(await call(noDatabase, "GET", "/api/health")).toMatchObject({
        status: 503,
        body: { success: false, service: "api", status: "unhealthy" },
      });
      const images = await call(noDatabase, "GET", "/api/images", { token: staticToken });
      expect(images.status).toBe(503);
      expect(images.body).toEqual({ success: false, error: "PostgreSQL did not answer; retry shortly" });
    } finally {
      await noDatabase.close();
    }

    const noKubernetes = await startApi({}, { kubernetesServer: `https://127.0.0.1:${port}` });
    try {
      expect(await call(noKubernetes, "GET", "/readyz")).toMatchObject({
        status: 503,
        body: { checks: { kubernetes: "KUBERNETES_UNAVAILABLE", database: "ok" } },
      });
      const created = await call(noKubernetes, "POST", "/api/imports", {
        token: staticToken,
        body: { folderUrl },
      });
      expect(created.status).toBe(503);
      expect(created.headers.get("retry-after")).toBe("5");
      expect(created.body.error.code).toBe("KUBERNETES_UNAVAILABLE");
      // A real token cannot even be checked without Kubernetes: that is 503 too, not 401.
      expect((await call(noKubernetes, "GET", "/api/images", { token: "some-token" })).status).toBe(503);
    } finally {
      await noKubernetes.close();
    }
  });
});
