import { Writable } from "node:stream";
import { S3Client } from "@aws-sdk/client-s3";
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

describe("buildApp", () => {
  it("never writes a bearer token to its logs, even when the token cannot be checked", async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // Nothing listens on port 1: every dependency is down, so errors (with their causes) get logged.
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
      await app.close();
      await db.destroy();
    }
    const log = lines.join("");
    expect(log).toContain("dependency failed");
    expect(log).not.toContain(userToken);
    expect(log).not.toContain(staticToken);
    expect(log).not.toContain("the-apis-own-token");
  });
});
