/** PNG pieces for a flat-colour image: a one-entry palette and 1-bit rows of zeros, tiny at any size. */
import { crc32, deflateSync } from "node:zlib";
import type { Rgb } from "./jpeg.ts";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Length, type and CRC around a chunk's data. */
export const PNG_CHUNK_OVERHEAD = 12;
export const PNG_IEND = pngChunk("IEND", Buffer.alloc(0));

/** Signature, IHDR (1-bit palette) and PLTE: everything a header parser reads, and the colour. */
export function pngHead(width: number, height: number, color: Rgb): Buffer {
  if (width < 1 || height < 1 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
    throw new Error(`a PNG is 1 to 2^31-1 pixels a side, got ${width}x${height}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 3, 0, 0, 0], 8); // bit depth 1, palette, deflate, adaptive filtering, no interlace
  return Buffer.concat([SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("PLTE", Buffer.from(color))]);
}

/** The IDAT chunk: every row filter 0, every pixel palette index 0. */
export function pngImageData(width: number, height: number): Buffer {
  const raw = Buffer.alloc(height * (1 + Math.ceil(width / 8)));
  return pngChunk("IDAT", deflateSync(raw, { level: 9 }));
}

/** A chunk of the given four-letter type. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const chunk = Buffer.alloc(PNG_CHUNK_OVERHEAD + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, "latin1");
  chunk.set(data, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}
