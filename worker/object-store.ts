import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import { StorageError } from "./errors.ts";

/** Where one file goes and what the object says about itself. */
export interface ObjectTarget {
  bucket: string;
  key: string;
  contentType: string;
  /** Drive's md5 of the bytes, verified while they stream; a multipart ETag is no md5, so it rides as metadata. */
  md5: string | null;
  /** The byte count Drive listed (null: not listed); the body is checked against it as it streams. */
  size: number | null;
  /**
   * The body's sha256 (hex), readable once the body ended: a gathered PUT sends it as the object's checksum
   * and signed payload hash, so the SDK does not hash the same bytes again and the server checks them.
   */
  bodySha256?: () => string;
  /** Provenance, for whoever looks at the bucket. */
  importUid: string;
  driveFileId: string;
}

/** What a stored object's metadata says (keys as `x-amz-meta-*`, lowercase). */
export interface StoredObject {
  md5: string | undefined;
}

export interface UploadSettings {
  partSizeBytes: number;
  /** Parts of one object in flight at once; with the part being filled, memory is about (queueSize + 1) parts. */
  queueSize: number;
}

/** The S3 side of a transfer: look for the object, stream one in. Every S3 failure is a StorageError. */
export class ObjectStore {
  readonly #s3: S3Client;
  readonly #upload: UploadSettings;

  constructor(s3: S3Client, upload: UploadSettings) {
    this.#s3 = s3;
    this.#upload = upload;
  }

  /** The object at `key`, or undefined when there is none. */
  async head(bucket: string, key: string, signal: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const head = await this.#s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      return { md5: head.Metadata?.md5 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storageError(`could not look for s3://${bucket}/${key}`, error);
    }
  }

  /**
   * Streams `body` into the object, aborted (so nothing is stored) when `body` fails: one PutObject for a
   * file of known size up to one part, a multipart upload otherwise. A failure of `body` itself (Drive, a
   * checksum) is rethrown as is. Resolves with the body's bytes when the PUT gathered them into one buffer,
   * so the caller can read them without copying them again.
   */
  async upload(body: Readable, target: ObjectTarget, signal: AbortSignal): Promise<Buffer | undefined> {
    if (target.size !== null && target.size <= this.#upload.partSizeBytes)
      return this.#put(body, target, target.size, signal);
    const upload = new Upload({
      client: this.#s3,
      params: {
        Bucket: target.bucket,
        Key: target.key,
        Body: body,
        ContentType: target.contentType,
        Metadata: objectMetadata(target),
      },
      partSize: this.#upload.partSizeBytes,
      queueSize: this.#upload.queueSize,
      leavePartsOnError: false,
    });
    const abort = (): void => void upload.abort();
    signal.addEventListener("abort", abort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      if (body.errored !== null) throw body.errored;
      throw storageError(`could not upload s3://${target.bucket}/${target.key}`, error);
    } finally {
      signal.removeEventListener("abort", abort);
      body.destroy();
    }
    return undefined;
  }

  /**
   * One PutObject, without lib-storage's machinery. The body streams straight onto the socket when the
   * client adds no checksum of its own (WHEN_REQUIRED), with Drive's md5 as Content-MD5: the meter's md5
   * verdict comes only after the last byte went out, so the server itself must refuse bytes that are not
   * Drive's. With WHEN_SUPPORTED the body is gathered first (at most one part), since a streamed body would
   * go out as aws-chunked with a trailer, and servers such as versitygw then close the connection after
   * every request. A gathered body has passed the meter's md5 check before it is sent, so it goes with its
   * SHA-256 as the object's checksum alone, which the server verifies and keeps: Content-MD5 beside it
   * would only have the server hash every byte a second time. It is sent without per-call options, so the
   * client's cached middleware serves it, and is therefore not aborted once sent: it carries at most one
   * part, so a stop waits for it briefly. The SDK does not retry a streamed body (it cannot replay it);
   * our retry policy does.
   */
  async #put(
    body: Readable,
    target: ObjectTarget,
    size: number,
    signal: AbortSignal,
  ): Promise<Buffer | undefined> {
    const input = {
      Bucket: target.bucket,
      Key: target.key,
      ContentLength: size,
      ContentType: target.contentType,
      Metadata: objectMetadata(target),
    };
    const contentMd5 =
      target.md5 === null ? {} : { ContentMD5: Buffer.from(target.md5, "hex").toString("base64") };
    try {
      if ((await this.#s3.config.requestChecksumCalculation()) === "WHEN_REQUIRED") {
        await this.#sendStreamed(new PutObjectCommand({ ...input, ...contentMd5, Body: body }), body, signal);
        return undefined;
      }
      const bytes = await gather(body, size);
      signal.throwIfAborted();
      const sha256 = target.bodySha256?.();
      const integrity =
        sha256 === undefined ? contentMd5 : { ChecksumSHA256: Buffer.from(sha256, "hex").toString("base64") };
      await this.#s3.send(new PutObjectCommand({ ...input, ...integrity, Body: bytes }));
      return bytes;
    } catch (error) {
      // The server refusing the md5 and the body's own check race; the body's error says more.
      if (body.errored === null && !body.destroyed && !signal.aborted) await settled(body, bodySettleMs);
      if (body.errored !== null) throw body.errored;
      throw storageError(`could not upload s3://${target.bucket}/${target.key}`, error);
    } finally {
      body.destroy();
    }
  }

  /** Sends `put`, whose body is `body` itself: the request is aborted when the body fails or `signal` fires. */
  async #sendStreamed(put: PutObjectCommand, body: Readable, signal: AbortSignal): Promise<void> {
    const request = new AbortController();
    const abort = (): void => request.abort();
    signal.addEventListener("abort", abort, { once: true });
    body.on("error", abort);
    try {
      await this.#s3.send(put, { abortSignal: request.signal });
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }
}

// How long a failed PUT waits for its body to end or fail, to report the body's own error when it has one.
const bodySettleMs = 1_000;

/** All of `body`'s bytes in one buffer of `size` bytes (the body fails itself beyond that many). */
async function gather(body: Readable, size: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(size);
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (length + chunk.length > size) throw new Error(`the body is longer than the ${size} bytes announced`);
    chunk.copy(bytes, length);
    length += chunk.length;
  }
  return length === size ? bytes : bytes.subarray(0, length);
}

/** Resolves once `body` ended, failed or closed, or after `timeoutMs`. */
function settled(body: Readable, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      body.off("end", done).off("error", done).off("close", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    body.once("end", done).once("error", done).once("close", done);
  });
}

/** The object's own metadata (`x-amz-meta-*`). */
function objectMetadata(target: ObjectTarget): Record<string, string> {
  return {
    ...(target.md5 === null ? {} : { md5: target.md5 }),
    "import-uid": target.importUid,
    "drive-file-id": target.driveFileId,
  };
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === "NotFound" || name === "NoSuchKey" || $metadata?.httpStatusCode === 404;
}

function storageError(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new StorageError(`${what}: ${detail}`, { cause });
}
