import { hash } from "node:crypto";

const blockSize = 64;

/**
 * HMAC-SHA256 under one key of messages that share a prefix and end in a fixed number of ASCII
 * characters (a presigned URL's string to sign: a per-second head, then a hex hash). It is RFC 2104's
 * H(K ⊕ opad ‖ H(K ⊕ ipad ‖ message)) as two one-shot hashes over buffers made once; createHmac sets
 * up an OpenSSL MAC context for each message and costs twice as much (2.5 against 1.3 µs, measured).
 */
export class PrefixedHmac {
  readonly #inner: Buffer;
  readonly #outer: Buffer;
  readonly #suffixAt: number;
  readonly #suffixLength: number;

  constructor(key: Buffer, prefix: string, suffixLength: number) {
    const padded = Buffer.alloc(blockSize);
    (key.length > blockSize ? hash("sha256", key, "buffer") : key).copy(padded);
    const head = Buffer.from(prefix, "utf8");
    this.#inner = Buffer.alloc(blockSize + head.length + suffixLength);
    this.#outer = Buffer.alloc(blockSize + 32);
    for (let i = 0; i < blockSize; i++) {
      this.#inner[i] = (padded[i] ?? 0) ^ 0x36;
      this.#outer[i] = (padded[i] ?? 0) ^ 0x5c;
    }
    head.copy(this.#inner, blockSize);
    this.#suffixAt = blockSize + head.length;
    this.#suffixLength = suffixLength;
  }

  /** The hex HMAC of prefix + `suffix`, which must be `suffixLength` ASCII characters. */
  hexDigest(suffix: string): string {
    if (suffix.length !== this.#suffixLength)
      throw new Error(`PrefixedHmac: the suffix must be ${this.#suffixLength} characters`);
    this.#inner.write(suffix, this.#suffixAt, "latin1");
    // "binary" is latin1: one character per byte of the inner digest.
    this.#outer.write(hash("sha256", this.#inner, "binary"), blockSize, "latin1");
    return hash("sha256", this.#outer, "hex");
  }
}
