/**
 * File bytes as a layout: a prefix shared by every file of the same look and size (so its hash state can
 * be computed once and copied) followed by a short tail unique to one file revision. Nothing is ever
 * materialised whole; ranges are served as views over a few shared buffers.
 */
import { hash } from "node:crypto";
import { seededUint32 } from "./random.ts";

/** `bytes` repeated `repeat` times. */
export interface Segment {
  bytes: Buffer;
  repeat: number;
}

export interface ContentLayout {
  size: number;
  /** Identifies the prefix bytes: equal keys, equal prefixes ("" when there is none). */
  prefixKey: string;
  prefix: readonly Segment[];
  tail: Buffer;
}

/** Length of the per-revision tag every generated file ends with (before any format trailer). */
export const TAG_LENGTH = 54;

/** 64 KiB of seeded noise (no 0xFF, to stay friendly with marker scanners) shared by every filler. */
export const FILLER = ((): Buffer => {
  const next = seededUint32(0x5eed);
  const bytes = Buffer.alloc(65_536);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(next(), i);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0xff) bytes[i] = 0xfe;
  return bytes;
})();

/** The tag that makes one file revision's bytes (and so its checksums) unique. */
export function revisionTag(seed: string): Buffer {
  return Buffer.from("fake-drive:" + hash("sha256", seed, "base64url"), "latin1");
}

/** Bytes of the whole layout. */
export function layoutBytes(layout: ContentLayout): Iterable<Buffer> {
  return byteRange(layout, 0, layout.size);
}

/** Views over the bytes in [start, end) of a layout, in order. */
export function* byteRange(layout: ContentLayout, start: number, end: number): Generator<Buffer> {
  let offset = 0;
  for (const { bytes, repeat } of [...layout.prefix, { bytes: layout.tail, repeat: 1 }]) {
    const length = bytes.length * repeat;
    if (length === 0 || offset + length <= start) {
      offset += length;
      continue;
    }
    if (offset >= end) return;
    // Skip whole repetitions before `start`, then walk the rest.
    let copy = Math.max(0, Math.floor((start - offset) / bytes.length));
    for (; copy < repeat; copy++) {
      const copyStart = offset + copy * bytes.length;
      if (copyStart >= end) return;
      const from = Math.max(start, copyStart) - copyStart;
      const to = Math.min(end, copyStart + bytes.length) - copyStart;
      yield from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
    }
    offset += length;
  }
}

/** How a filler of `total` bytes splits into framed segments (whole ones plus up to two shorter ones). */
export interface FillerPlan {
  whole: number;
  /** Total sizes (framing included) of the shorter segments. */
  partial: number[];
  /** Bytes too few to frame; the caller folds them into its tail. */
  leftover: number;
}

/** Splits `total` filler bytes into segments of at most `maxSegment` bytes, each at least `overhead`. */
export function planFiller(total: number, overhead: number, maxSegment: number): FillerPlan {
  if (total < overhead) return { whole: 0, partial: [], leftover: total };
  const whole = Math.floor(total / maxSegment);
  const rest = total - whole * maxSegment;
  if (rest === 0) return { whole, partial: [], leftover: 0 };
  if (rest >= overhead) return { whole, partial: [rest], leftover: 0 };
  // Too little for a segment of its own: shorten the last whole one to make room for two.
  return { whole: whole - 1, partial: [maxSegment + rest - overhead, overhead], leftover: 0 };
}
