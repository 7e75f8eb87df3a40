import { describe, expect, it } from "vitest";
import { parseWorkerConfig } from "./config.ts";

const minimal = { DATABASE_URL: "postgres://db/imagesync", NATS_URL: "nats://127.0.0.1:4222" };

describe("parseWorkerConfig", () => {
  it("needs only the database and NATS, with defaults for the rest", () => {
    const config = parseWorkerConfig(minimal);
    expect(config.pipeline.concurrency).toBe(16);
    expect(config.pipeline.queuePrefix).toBe("imagesync");
    expect(config.pipeline.drive.rootUrl).toBe("https://www.googleapis.com/");
    expect(config.pipeline.drive.defaultApiKey).toBeUndefined();
    expect(config.pipeline.partSizeBytes).toBe(8 * 1024 * 1024);
    expect(config.s3).toEqual({ region: "us-east-1", forcePathStyle: false, checksums: "WHEN_SUPPORTED" });
  });

  it("reads an S3-compatible server's settings", () => {
    const config = parseWorkerConfig({
      ...minimal,
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_REGION: "eu-west-1",
      S3_FORCE_PATH_STYLE: "true",
      S3_CHECKSUMS: "WHEN_REQUIRED",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: "secret",
    });
    expect(config.s3).toEqual({
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      forcePathStyle: true,
      checksums: "WHEN_REQUIRED",
      credentials: { accessKeyId: "id", secretAccessKey: "secret" },
    });
  });

  it("names every bad variable at once", () => {
    const parse = (): unknown =>
      parseWorkerConfig({
        NATS_URL: "nats://x",
        WORKER_CONCURRENCY: "lots",
        S3_FORCE_PATH_STYLE: "maybe",
        S3_CHECKSUMS: "ALWAYS",
        IMAGESYNC_QUEUE_PREFIX: "Bad.Prefix",
        AWS_ACCESS_KEY_ID: "id",
      });
    expect(parse).toThrow(/DATABASE_URL is required/);
    expect(parse).toThrow(/WORKER_CONCURRENCY must be a whole number from 1 to 1024, got "lots"/);
    expect(parse).toThrow(/S3_FORCE_PATH_STYLE must be true or false/);
    expect(parse).toThrow(/S3_CHECKSUMS must be one of WHEN_SUPPORTED, WHEN_REQUIRED/);
    expect(parse).toThrow(/IMAGESYNC_QUEUE_PREFIX: queue prefix "Bad.Prefix"/);
    expect(parse).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together/);
  });

  it("never repeats a secret in its errors", () => {
    const secret = "s3cr3t-value";
    expect(() => parseWorkerConfig({ ...minimal, AWS_SECRET_ACCESS_KEY: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) as string }) as Error,
    );
  });
});
