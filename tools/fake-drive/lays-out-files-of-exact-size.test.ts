import { describe, expect, it } from "vitest";
import { crc32 } from "node:zlib";
import { contentLayout } from "./content.ts";
import { JPEG_COMMENT_MAX_DATA } from "./jpeg.ts";
import { imageLayout, minimumImageSize } from "./images.ts";
import { byteRange, layoutBytes, planFiller } from "./layout.ts";
import { STOCK_IMAGES } from "./stock-images.ts";

const whole = (layout: Parameters<typeof layoutBytes>[0]): Buffer => Buffer.concat([...layoutBytes(layout)]);

/** Segment markers and lengths of a JPEG, checking each segment's length fits the file. */
function jpegMarkers(bytes: Buffer): number[] {
  const markers: number[] = [];
  let at = 2;
  while (at < bytes.length) {
    expect(bytes[at]).toBe(0xff);
    const marker = bytes[at + 1]!;
    markers.push(marker);
    if (marker === 0xd9) return markers;
    const length = bytes.readUInt16BE(at + 2);
    at += 2 + length;
    if (marker === 0xda) {
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00.
      while (!(bytes[at] === 0xff && bytes[at + 1] !== 0)) at++;
    }
  }
  throw new Error("no EOI");
}

/** PNG chunk types, checking every CRC. */
function pngChunks(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const typeAndData = bytes.subarray(at + 4, at + 8 + length);
    expect(bytes.readUInt32BE(at + 8 + length)).toBe(crc32(typeAndData));
    types.push(typeAndData.subarray(0, 4).toString("latin1"));
    at += 12 + length;
  }
  return types;
}

describe("file layouts", () => {
  const jpeg = STOCK_IMAGES.parkHd;
  const png = STOCK_IMAGES.avatar;
  const edges = (minimum: number): number[] => [
    minimum,
    minimum + 1,
    minimum + 3,
    minimum + 4,
    minimum + 12,
    minimum + JPEG_COMMENT_MAX_DATA + 4 + 2,
    minimum + 65_536 + 5,
    minimum + 3 * 65_537,
    1_000_003,
  ];

  it("makes JPEGs of exactly the size asked, with well-formed segments", () => {
    for (const size of edges(minimumImageSize(jpeg))) {
      const bytes = whole(imageLayout(jpeg, size, "seed"));
      expect(bytes.length).toBe(size);
      const markers = jpegMarkers(bytes);
      expect(markers.slice(0, 5)).toEqual([
        0xe1,
        0xdb,
        0xc0,
        0xc4,
        ...(markers[4] === 0xfe ? [0xfe] : [0xda]),
      ]);
      expect(markers.at(-1)).toBe(0xd9);
    }
  });

  it("makes PNGs of exactly the size asked, with valid chunks in a valid order", () => {
    for (const size of edges(minimumImageSize(png))) {
      const bytes = whole(imageLayout(png, size, "seed"));
      expect(bytes.length).toBe(size);
      const types = pngChunks(bytes);
      expect(types.slice(0, 2)).toEqual(["IHDR", "PLTE"]);
      expect(types.slice(-3)).toEqual(["IDAT", "tEXt", "IEND"]);
    }
  });

  it("serves any range as the same bytes as the whole", () => {
    const layout = contentLayout({ kind: "image", spec: STOCK_IMAGES.eiffelTower, size: 400_000 }, "x");
    const bytes = whole(layout);
    for (const [start, end] of [
      [0, 1],
      [0, 400_000],
      [1000, 70_000],
      [65_536, 65_537 * 3],
      [399_990, 400_000],
    ] as const) {
      expect(Buffer.concat([...byteRange(layout, start, end)]).equals(bytes.subarray(start, end))).toBe(true);
    }
  });

  it("gives each revision other bytes, and filler files their exact size", () => {
    const a = whole(contentLayout({ kind: "filler", size: 100_000 }, "id\n1"));
    const b = whole(contentLayout({ kind: "filler", size: 100_000 }, "id\n2"));
    expect(a.length).toBe(100_000);
    expect(a.equals(b)).toBe(false);
    for (const size of [0, 1, 54, 55, 65_536 + 54]) {
      expect(whole(contentLayout({ kind: "filler", size }, "s")).length).toBe(size);
    }
  });

  it("plans filler segments that add up, folding what cannot be framed into the tail", () => {
    for (const total of [0, 3, 4, 65_537, 65_538, 65_540, 65_541, 200_000]) {
      const plan = planFiller(total, 4, 65_537);
      const sum = plan.whole * 65_537 + plan.partial.reduce((a, b) => a + b, 0) + plan.leftover;
      expect(sum, String(total)).toBe(total);
      expect(plan.partial.every((size) => size >= 4 && size <= 65_537)).toBe(true);
    }
  });
});
