import { HeadBucketCommand } from "@aws-sdk/client-s3";
import type { Clock } from "../lib/controller-runtime/index.ts";
import { createS3Client, type S3Settings } from "../lib/storage/index.ts";
import type { BucketCheck } from "./destination.ts";

/**
 * The DestinationReady probe: HeadBucket on each import's bucket, its answer cached per bucket for `ttlMs`
 * so running imports do not probe on every reconcile. Workers hold the write credentials; the operator only
 * checks that the bucket exists and answers. Loaded only when the operator has S3 settings (the AWS SDK
 * costs tens of MB of memory).
 */
export function createBucketCheck(
  settings: S3Settings,
  clock: Clock,
  ttlMs = 30_000,
): { check: BucketCheck; close: () => void } {
  const s3 = createS3Client(settings);
  const cache = new Map<string, { problem: string | undefined; at: number }>();
  const check: BucketCheck = async (bucket) => {
    const cached = cache.get(bucket);
    if (cached !== undefined && clock.now() - cached.at < ttlMs) return cached.problem;
    let problem: string | undefined;
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const detail =
        status === undefined ? (error instanceof Error ? error.message : String(error)) : `HTTP ${status}`;
      problem =
        status === 404
          ? `bucket "${bucket}" does not exist: create it or set spec.destination.bucket to one that does`
          : `bucket "${bucket}" cannot be reached (${detail}): check the S3 endpoint, credentials and the bucket's policy`;
    }
    cache.set(bucket, { problem, at: clock.now() });
    return problem;
  };
  return { check, close: () => s3.destroy() };
}
