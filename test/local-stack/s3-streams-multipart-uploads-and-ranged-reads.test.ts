import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { describe, expect, it } from "vitest";
import { stackS3Client, uniqueName } from "../support/stack.ts";

const size = 20 * 1024 * 1024;

/** 20 MB of deterministic bytes, produced chunk by chunk so the test never holds them whole. */
function deterministicStream(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(64 * 1024, total - sent));
      for (let i = 0; i < chunk.length; i++) chunk[i] = (sent + i) % 251;
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

function expectedBytes(start: number, end: number): Buffer {
  const bytes = Buffer.alloc(end - start + 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (start + i) % 251;
  return bytes;
}

async function md5Of(stream: Readable): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe.each(["WHEN_SUPPORTED", "WHEN_REQUIRED"] as const)("S3 server with checksums %s", (checksums) => {
  it("takes a 20 MB stream as a multipart upload and serves it whole and by range", async () => {
    const s3: S3Client = stackS3Client({ checksums });
    const bucket = uniqueName("stack");
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: "big/object.bin",
        Body: deterministicStream(size),
        ContentType: "application/octet-stream",
      },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    await upload.done();

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big/object.bin" }));
    expect(head.ContentLength).toBe(size);
    expect(head.ETag).toMatch(/-4"$/); // four parts: a multipart ETag, not an md5

    const whole = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big/object.bin" }));
    expect(await md5Of(whole.Body as Readable)).toBe(await md5Of(deterministicStream(size)));

    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "big/object.bin", Range: "bytes=10485750-10485769" }),
    );
    expect(ranged.ContentRange).toBe(`bytes 10485750-10485769/${size}`);
    expect(
      Buffer.from(
        await (ranged.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      ),
    ).toEqual(expectedBytes(10485750, 10485769));
    s3.destroy();
  });
});
