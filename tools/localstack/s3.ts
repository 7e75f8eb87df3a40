import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startDaemon, waitUntilReady } from "./daemon.ts";
import { tool, type StackLayout } from "./layout.ts";

/** The local S3 server's root credentials: loopback-only, throwaway data, so fixed values are fine. */
export const s3Credentials = {
  accessKeyId: "imagesync-local",
  secretAccessKey: "imagesync-local-secret",
};

export const defaultBucket = "imagesync";

/** versitygw (Apache-2.0) serving S3 from a POSIX folder (object metadata lives in xattrs). */
export async function startS3(layout: StackLayout): Promise<string> {
  const dataDir = join(layout.dataDir, "s3");
  mkdirSync(dataDir, { recursive: true });
  const endpoint = `http://127.0.0.1:${layout.ports.s3}`;
  startDaemon(layout, {
    name: "s3",
    command: tool(layout, "versitygw"),
    args: [
      "--access",
      s3Credentials.accessKeyId,
      "--secret",
      s3Credentials.secretAccessKey,
      "--port",
      `127.0.0.1:${layout.ports.s3}`,
      // Without these versitygw closes every connection after one response and logs every request.
      "--keep-alive",
      "--quiet",
      "posix",
      dataDir,
    ],
  });
  await waitUntilReady(layout, "s3", async () => {
    await fetch(endpoint); // Any HTTP answer, even 403, means it serves.
    return true;
  });
  await createBucket(endpoint, defaultBucket);
  return endpoint;
}

async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: s3Credentials,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw error;
  } finally {
    client.destroy();
  }
}
