/**
 * md5, sha1 and sha256 of served bytes. The hash states after a shared prefix are computed once (in
 * slices, yielding to the event loop) and copied per file, so listing 100,000 large files costs one
 * prefix per look and size plus a short tail per file.
 */
import { createHash, hash, type Hash } from "node:crypto";
import { setImmediate } from "node:timers/promises";
import { BoundedCache } from "./bounded-cache.ts";
import { byteRange, type ContentLayout } from "./layout.ts";

export type ChecksumAlgorithm = "md5" | "sha1" | "sha256";
const ALGORITHMS: readonly ChecksumAlgorithm[] = ["md5", "sha1", "sha256"];

type HashStates = Record<ChecksumAlgorithm, Hash>;

/** Bytes hashed between two yields to the event loop. */
const SLICE_BYTES = 16 * 1024 * 1024;

/** Computes checksums of layouts, caching the states after each shared prefix. */
export class ChecksumCalculator {
  readonly #prefixes = new BoundedCache<string, Promise<HashStates>>(256);

  /** The hex digests of all bytes of a layout, for the algorithms asked. */
  async checksums(
    layout: ContentLayout,
    algorithms: readonly ChecksumAlgorithm[],
  ): Promise<Partial<Record<ChecksumAlgorithm, string>>> {
    const digests: Partial<Record<ChecksumAlgorithm, string>> = {};
    if (layout.prefix.length === 0) {
      for (const algorithm of algorithms) digests[algorithm] = hash(algorithm, layout.tail, "hex");
      return digests;
    }
    const states = await this.#prefixes.get(layout.prefixKey, () => hashPrefix(layout));
    for (const algorithm of algorithms) {
      digests[algorithm] = states[algorithm].copy().update(layout.tail).digest("hex");
    }
    return digests;
  }
}

async function hashPrefix(layout: ContentLayout): Promise<HashStates> {
  const states = Object.fromEntries(
    ALGORITHMS.map((algorithm) => [algorithm, createHash(algorithm)]),
  ) as HashStates;
  let sinceYield = 0;
  for (const chunk of byteRange(layout, 0, layout.size - layout.tail.length)) {
    for (const algorithm of ALGORITHMS) states[algorithm].update(chunk);
    sinceYield += chunk.length;
    if (sinceYield >= SLICE_BYTES) {
      sinceYield = 0;
      await setImmediate();
    }
  }
  return states;
}
