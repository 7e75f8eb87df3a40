import { Readable } from "node:stream";
import type { Clock } from "../controller-runtime/clock.ts";
import type { DriveClient } from "./client.ts";
import { abortedError, classifyDriveError, headerValue, timeoutError, truncatedError } from "./errors.ts";
import { resourceKeyHeaders } from "./resource-keys.ts";

export interface OpenFileOptions {
  resourceKey?: string | null;
  /** Aborts opening and, later, the transfer itself. */
  signal?: AbortSignal;
}

/** A download in progress. */
export interface FileStream {
  /** The file's bytes; it fails with a DriveError (transient for cuts, stalls and truncation). */
  body: Readable;
  /** The byte count Drive announced, when it sent the bytes unencoded. */
  contentLength: number | undefined;
}

/**
 * Opens a download of `fileId` (`files.get?alt=media`). The retry policy covers opening the stream, not
 * its middle: a transfer that fails part-way fails as a whole and the worker retries the file. The body
 * fails as transient when Drive sends nothing for the client's stall timeout while we are waiting for
 * bytes (time the reader spends not reading does not count) or ends short of Content-Length.
 */
export async function openFileStream(
  drive: DriveClient,
  fileId: string,
  options: OpenFileOptions = {},
): Promise<FileStream> {
  const { signal } = options;
  const response = await drive.call(
    "files.download",
    ({ signal: attemptSignal }) =>
      drive.files.get(
        { fileId, alt: "media", supportsAllDrives: true },
        {
          responseType: "stream",
          signal: attemptSignal,
          headers: resourceKeyHeaders([{ id: fileId, resourceKey: options.resourceKey ?? null }]),
        },
      ),
    signal === undefined ? {} : { signal },
  );
  // With a Content-Encoding the header counts encoded bytes, not the file's.
  const encoded = (headerValue(response.headers, "content-encoding") ?? "identity") !== "identity";
  const announced = Number.parseInt(headerValue(response.headers, "content-length") ?? "", 10);
  const contentLength = !encoded && Number.isSafeInteger(announced) ? announced : undefined;
  const body = new GuardedBody(response.data, {
    stallTimeoutMs: drive.stallTimeoutMs,
    clock: drive.clock,
    contentLength,
    signal,
  });
  return { body, contentLength };
}

interface GuardOptions {
  stallTimeoutMs: number;
  clock: Clock;
  contentLength: number | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Passes the response body through, turning its failures into DriveErrors and watching for stalls. The
 * stall clock runs only while the reader wants bytes and the source owes them.
 */
class GuardedBody extends Readable {
  readonly #source: Readable;
  readonly #options: GuardOptions;
  #received = 0;
  #lastProgressAt = 0;
  #timer: unknown;

  constructor(source: Readable, options: GuardOptions) {
    super();
    this.#source = source;
    this.#options = options;
    source.pause();
    source.on("data", (chunk: Buffer) => {
      this.#received += chunk.length;
      this.#lastProgressAt = options.clock.now();
      if (!this.push(chunk)) this.#stopWaiting();
    });
    source.on("end", () => {
      this.#stopWaiting();
      const expected = options.contentLength;
      if (expected !== undefined && this.#received !== expected)
        this.destroy(truncatedError(this.#received, expected));
      else this.push(null);
    });
    source.on("error", (error) => {
      this.destroy(
        options.signal?.aborted === true ? abortedError() : classifyDriveError(error, options.clock.now()),
      );
    });
  }

  override _read(): void {
    if (this.#timer === undefined) {
      this.#lastProgressAt = this.#options.clock.now();
      this.#armStallTimer(this.#options.stallTimeoutMs);
    }
    this.#source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stopWaiting();
    this.#source.destroy();
    callback(error);
  }

  #armStallTimer(delayMs: number): void {
    this.#timer = this.#options.clock.setTimeout(() => {
      const quietMs = this.#options.clock.now() - this.#lastProgressAt;
      const left = this.#options.stallTimeoutMs - quietMs;
      if (left > 0) this.#armStallTimer(left);
      else this.destroy(timeoutError("stalled", this.#options.stallTimeoutMs));
    }, delayMs);
  }

  #stopWaiting(): void {
    this.#source.pause();
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
