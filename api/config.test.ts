import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const minimal = { DATABASE_URL: "postgres://imagesync:secret@db:5432/imagesync" };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("needs only DATABASE_URL and defaults the rest sensibly", () => {
    const config = loadConfig(minimal);
    expect(config.listen).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(config.kubeconfigPath).toBeUndefined();
    expect(config.s3).toMatchObject({
      region: "us-east-1",
      forcePathStyle: false,
      checksums: "WHEN_SUPPORTED",
    });
    expect(config.s3.credentials).toBeUndefined();
    expect(config.app).toMatchObject({
      staticToken: undefined,
      defaultNamespace: "default",
      authCacheTtlMs: 10_000,
      rateLimitPerMinute: 600,
      corsOrigins: [],
      presignTtlSeconds: 300,
      publicBaseUrl: undefined,
    });
  });

  it("reads every setting", () => {
    const config = loadConfig({
      ...minimal,
      API_HOST: "127.0.0.1",
      API_PORT: "9090",
      KUBECONFIG: "/etc/kube/config",
      API_STATIC_TOKEN: "x".repeat(40),
      API_DEFAULT_NAMESPACE: "imports",
      API_AUTH_CACHE_SECONDS: "0",
      API_RATE_LIMIT_PER_MINUTE: "0",
      API_CORS_ORIGINS: "https://app.example.com, http://localhost:3000",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_FORCE_PATH_STYLE: "true",
      S3_CHECKSUMS: "WHEN_REQUIRED",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: "key",
      S3_PUBLIC_BASE_URL: "https://cdn.example.com/{bucket}/",
      API_PRESIGN_TTL_SECONDS: "60",
    });
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 9090 });
    expect(config.kubeconfigPath).toBe("/etc/kube/config");
    expect(config.s3).toMatchObject({
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      checksums: "WHEN_REQUIRED",
      credentials: { accessKeyId: "id", secretAccessKey: "key" },
    });
    expect(config.app).toMatchObject({
      defaultNamespace: "imports",
      authCacheTtlMs: 0,
      rateLimitPerMinute: 0,
      corsOrigins: ["https://app.example.com", "http://localhost:3000"],
      publicBaseUrl: "https://cdn.example.com/{bucket}/",
      presignTtlSeconds: 60,
    });
  });

  it("names every bad variable at once", () => {
    const problems = problemsOf({
      API_PORT: "eighty",
      API_DEFAULT_NAMESPACE: "Not_A_Namespace",
      S3_FORCE_PATH_STYLE: "yes",
      API_CORS_ORIGINS: "https://app.example.com/path",
      AWS_ACCESS_KEY_ID: "id",
    });
    expect(problems).toEqual([
      expect.stringContaining("DATABASE_URL is required"),
      expect.stringContaining("API_DEFAULT_NAMESPACE must be a Kubernetes namespace name"),
      expect.stringContaining("API_CORS_ORIGINS must list origins"),
      expect.stringContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together"),
      expect.stringContaining('API_PORT must be an integer from 1 to 65535 (got "eighty")'),
      expect.stringContaining('S3_FORCE_PATH_STYLE must be true or false (got "yes")'),
    ]);
  });

  it("never repeats a secret in its complaint", () => {
    const token = "short-secret-token";
    const problems = problemsOf({ DATABASE_URL: "mysql://user:hunter2@db/x", API_STATIC_TOKEN: token });
    expect(problems.join("\n")).not.toContain(token);
    expect(problems.join("\n")).not.toContain("hunter2");
    expect(problems).toEqual([
      "DATABASE_URL must be a postgres:// or postgresql:// URL",
      expect.stringContaining("API_STATIC_TOKEN must be at least 32 characters"),
    ]);
  });
});
