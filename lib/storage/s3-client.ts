import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";

export interface S3Settings {
  /** Empty for AWS S3; the server's URL for MinIO, SeaweedFS, versitygw and the like. */
  endpoint?: string;
  region: string;
  /** Path-style URLs (`endpoint/bucket/key`): what most S3-compatible servers want. */
  forcePathStyle: boolean;
  /**
   * WHEN_SUPPORTED (the SDK's default since 2025) sends CRC32 checksums in aws-chunked trailers, which
   * some S3-compatible servers reject; WHEN_REQUIRED sends them only where the API demands.
   */
  checksums: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  /** Static credentials; without them the SDK's default chain (env, web identity, instance role) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxSockets?: number;
  requestTimeoutMs?: number;
}

/**
 * One S3 client per process: pooled keep-alive sockets and a timeout on every request. A send without
 * per-call options reuses its command's resolved middleware (`cacheMiddleware`) instead of sorting the
 * whole stack again: that rebuild was about half of what a small PutObject allocated.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const maxSockets = settings.maxSockets ?? 64;
  const client = new S3Client({
    ...(settings.endpoint === undefined || settings.endpoint === "" ? {} : { endpoint: settings.endpoint }),
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: settings.checksums,
    responseChecksumValidation: settings.checksums,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: 5_000,
      requestTimeout: settings.requestTimeoutMs ?? 60_000,
    }),
    cacheMiddleware: true,
  });
  // A body sent with its SHA-256 checksum (PutObject, UploadPart) is signed with it as the payload hash
  // (SigV4 takes a given x-amz-content-sha256 as is) instead of having the SDK hash the same bytes again.
  client.middlewareStack.add(
    (next) => (args) => {
      const { ChecksumSHA256: sha256, Body: body } = args.input as {
        ChecksumSHA256?: string;
        Body?: unknown;
      };
      const request = args.request as { headers?: Record<string, string> };
      if (sha256 !== undefined && body !== undefined && request.headers !== undefined) {
        request.headers["x-amz-content-sha256"] = Buffer.from(sha256, "base64").toString("hex");
      }
      return next(args);
    },
    { step: "build", name: "imagesyncPayloadHashFromChecksum" },
  );
  return client;
}
