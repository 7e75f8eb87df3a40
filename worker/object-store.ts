import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
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
   * Streams `body` into the object: one PUT for a small file, a multipart upload otherwise, aborted (so
   * nothing is stored) when `body` fails. A failure of `body` itself (Drive, a checksum) is rethrown as is.
   */
  async upload(body: Readable, target: ObjectTarget, signal: AbortSignal): Promise<void> {
    const upload = new Upload({
      client: this.#s3,
      params: {
        Bucket: target.bucket,
        Key: target.key,
        Body: body,
        ContentType: target.contentType,
        Metadata: {
          ...(target.md5 === null ? {} : { md5: target.md5 }),
          "import-uid": target.importUid,
          "drive-file-id": target.driveFileId,
        },
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
  }
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === "NotFound" || name === "NoSuchKey" || $metadata?.httpStatusCode === 404;
}

function storageError(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new StorageError(`${what}: ${detail}`, { cause });
}
