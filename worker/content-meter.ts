import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { ContentMismatchError } from "./errors.ts";

/** What Drive's listing says the bytes are; null where it did not say. */
export interface ExpectedContent {
  md5: string | null;
  size: number | null;
}

/** What actually went through. */
export interface MeasuredContent {
  size: number;
  md5: string;
  sha256: string;
}

export interface ContentMeterOptions {
  expected: ExpectedContent;
  /** How many leading bytes to keep for the image probe. */
  headerLimit: number;
  /** Called with each chunk's length as it passes (progress, metrics, first-byte timing). */
  onChunk?: (bytes: number) => void;
}

/**
 * A pass-through stream that counts and hashes (md5 and sha256) what flows through it and keeps the first
 * bytes. When the source ends it checks the size and md5 against Drive's listing and fails the stream on a
 * mismatch, before its end reaches the uploader, so a wrong object is never completed; a byte beyond the
 * listed size fails it at once.
 */
export class ContentMeter extends Transform {
  readonly #options: ContentMeterOptions;
  readonly #md5: Hash = createHash("md5");
  readonly #sha256: Hash = createHash("sha256");
  readonly #headerChunks: Buffer[] = [];
  #headerLength = 0;
  #size = 0;
  #measured: MeasuredContent | undefined;
  #header: Buffer | undefined;

  constructor(options: ContentMeterOptions) {
    super();
    this.#options = options;
  }

  /** The measurement; only after the stream ended without error. */
  get measured(): MeasuredContent {
    if (this.#measured === undefined) throw new Error("the content meter has not seen the end of the stream");
    return this.#measured;
  }

  /**
   * The first bytes (up to the header limit): enough for image headers and EXIF. Joined on first use, as
   * a caller that holds the whole body in one buffer already reads them from there without this copy.
   */
  header(): Buffer {
    this.#header ??= Buffer.concat(this.#headerChunks, this.#headerLength);
    return this.#header;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length;
    // At once, not at the end: a single PUT announced Drive's size, and must never be sent more bytes.
    const listed = this.#options.expected.size;
    if (listed !== null && this.#size > listed) {
      callback(new ContentMismatchError(`received more than the ${listed} bytes Drive listed`));
      return;
    }
    this.#md5.update(chunk);
    this.#sha256.update(chunk);
    if (this.#headerLength < this.#options.headerLimit) {
      const kept = chunk.subarray(0, this.#options.headerLimit - this.#headerLength);
      this.#headerChunks.push(kept);
      this.#headerLength += kept.length;
    }
    this.#options.onChunk?.(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const measured: MeasuredContent = {
      size: this.#size,
      md5: this.#md5.digest("hex"),
      sha256: this.#sha256.digest("hex"),
    };
    const { expected } = this.#options;
    if (expected.size !== null && expected.size !== measured.size) {
      callback(
        new ContentMismatchError(`received ${measured.size} bytes where Drive listed ${expected.size}`),
      );
      return;
    }
    if (expected.md5 !== null && expected.md5.toLowerCase() !== measured.md5) {
      callback(
        new ContentMismatchError(`the bytes' md5 is ${measured.md5} where Drive listed ${expected.md5}`),
      );
      return;
    }
    this.#measured = measured;
    callback();
  }
}
