import { Writable } from "node:stream";
import { S3Client } from "@aws-sdk/client-s3";
import type { FastifyInstance } from "fastify";
import { describe, expect, it } from "vitest";
import { KubeClient } from "../lib/controller-runtime/index.ts";
import { connectDatabase } from "../lib/db/index.ts";
import { buildApp } from "./app.ts";
import { appSettingsFrom } from "./config.ts";

const staticToken = "static-token-that-must-never-be-logged-0123456789";
const userToken = "eyJhbGciOiJSUzI1NiJ9.a-service-account-token-that-must-never-be-logged";

const settings = appSettingsFrom({
  LOG_LEVEL: "debug",
  API_STATIC_TOKEN: staticToken,
  API_KUBERNETES_TIMEOUT_MS: "1000",
  API_RATE_LIMIT_PER_MINUTE: "0",
});

/** An app whose every dependency is down (nothing listens on port 1), and the log lines it writes. */
async function appWithDependenciesDown(): Promise<{
  app: FastifyInstance;
  lines: string[];
  close: () => Promise<void>;
}> {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const kube = new KubeClient({
    server: "https://127.0.0.1:1",
    insecureSkipTlsVerify: true,
    token: "the-apis-own-token",
  });
  const db = connectDatabase({ url: "postgres://postgres@127.0.0.1:1/none" });
  const s3 = new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  const app = await buildApp({
    settings,
    db,
    kube,
    s3,
    storage: { endpoint: "http://127.0.0.1:1", region: "us-east-1", forcePathStyle: true },
    logStream,
  });
  return {
    app,
    lines,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

describe("buildApp", () => {
  it("never writes a bearer token to its logs, even when the token cannot be checked", async () => {
    const { app, lines, close } = await appWithDependenciesDown();
    try {
      const asUser = await app.inject({
        method: "GET",
        url: "/api/images",
        headers: { authorization: `Bearer ${userToken}` },
      });
      expect(asUser.statusCode).toBe(503);
      const asAdmin = await app.inject({
        method: "GET",
        url: "/api/stats",
        headers: { authorization: `Bearer ${staticToken}` },
      });
      expect(asAdmin.statusCode).toBe(503);
      for (const body of [asUser.body, asAdmin.body]) {
        expect(body).not.toContain(userToken);
        expect(body).not.toContain(staticToken);
      }
    } finally {
      await close();
    }
    const log = lines.join("");
    expect(log).toContain("dependency failed");
    expect(log).not.toContain(userToken);
    expect(log).not.toContain(staticToken);
    expect(log).not.toContain("the-apis-own-token");
  });

  it("writes one access-log line per answered request, with method, URL, status and time; probes stay quiet", async () => {
    const { app, lines, close } = await appWithDependenciesDown();
    try {
      await app.inject({ method: "GET", url: "/livez" });
      await app.inject({
        method: "GET",
        url: "/api/stats?namespace=team",
        headers: { authorization: `Bearer ${staticToken}` },
      });
      await app.inject({ method: "GET", url: "/no/such/route" });
    } finally {
      await close();
    }
    const requestLines = lines
      .map(
        (line) =>
          JSON.parse(line) as {
            msg: string;
            req?: { method: string; url: string };
            res?: { statusCode: number };
            responseTime?: number;
          },
      )
      .filter((line) => line.req !== undefined || line.msg.startsWith("incoming"));
    expect(requestLines.map(({ msg, req, res }) => [msg, req?.method, req?.url, res?.statusCode])).toEqual([
      ["request completed", "GET", "/api/stats?namespace=team", 503],
      ["request completed", "GET", "/no/such/route", 404],
    ]);
    for (const line of requestLines) expect(line.responseTime).toBeGreaterThan(0);
  });
});
