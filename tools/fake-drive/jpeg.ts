/**
 * Baseline JPEG pieces for a flat-colour image of any size: real enough for decoders, header parsers and
 * EXIF readers, and cheap because every 8x8 block after the first codes as "same DC, no AC" (18 zero bits
 * per 16x16 MCU with the tables below).
 */
import { exifPayload, type PhotoMetadata } from "./exif.ts";

export type Rgb = readonly [number, number, number];

const JPEG_SOI = Buffer.from([0xff, 0xd8]);
export const JPEG_EOI = Buffer.from([0xff, 0xd9]);
/** Bytes a COM segment adds around its data, and the most data one can carry. */
export const JPEG_COMMENT_OVERHEAD = 4;
export const JPEG_COMMENT_MAX_DATA = 65_533;

// The standard (Annex K) quality-50 tables, in zigzag order. Only the DC entry matters for flat blocks.
const LUMA_QUANT = [
  16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58,
  51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104, 103,
  62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];
const CHROMA_QUANT = [17, 18, 18, 24, 21, 24, 47, 26, 26, 47, 99, 66, 56, 66, ...Array<number>(50).fill(99)];

// The standard DC tables (Annex K.3); the AC tables hold only end-of-block, coded as a single "0" bit.
const DC_LUMA_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CHROMA_COUNTS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_EOB_ONLY_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/** SOI, APP0 (JFIF) or APP1 (EXIF), DQT, SOF0 (4:2:0) and DHT: everything a header parser reads. */
export function jpegHead(width: number, height: number, photo: PhotoMetadata | undefined): Buffer {
  if (width < 1 || height < 1 || width > 65_535 || height > 65_535) {
    throw new Error(`a JPEG is 1 to 65535 pixels a side, got ${width}x${height}`);
  }
  const app = photo
    ? segment(0xe1, exifPayload(photo, width, height))
    : segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  const dqt = segment(0xdb, Buffer.from([0x00, ...LUMA_QUANT, 0x01, ...CHROMA_QUANT]));
  const sof = segment(
    0xc0,
    Buffer.from([
      8,
      height >> 8,
      height & 255,
      width >> 8,
      width & 255,
      3,
      1,
      0x22,
      0,
      2,
      0x11,
      1,
      3,
      0x11,
      1,
    ]),
  );
  const dht = segment(
    0xc4,
    Buffer.from([
      ...[0x00, ...DC_LUMA_COUNTS, ...DC_SYMBOLS],
      ...[0x10, ...AC_EOB_ONLY_COUNTS, 0x00],
      ...[0x01, ...DC_CHROMA_COUNTS, ...DC_SYMBOLS],
      ...[0x11, ...AC_EOB_ONLY_COUNTS, 0x00],
    ]),
  );
  return Buffer.concat([JPEG_SOI, app, dqt, sof, dht]);
}

/** SOS and the entropy-coded data painting the whole image in one colour. */
export function jpegScan(width: number, height: number, color: Rgb): Buffer {
  const [y, cb, cr] = toYCbCr(color);
  const dc = (sample: number, quant: number): number => Math.round(((sample - 128) * 8) / quant);
  const lumaDc = huffmanCodes(DC_LUMA_COUNTS);
  const chromaDc = huffmanCodes(DC_CHROMA_COUNTS);
  const mcus = Math.ceil(width / 16) * Math.ceil(height / 16);

  const bits = new BitWriter(Math.ceil((mcus * 18) / 8) + 16);
  const block = (diff: number, codes: HuffmanCode[]): void => {
    const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
    const code = codes[category]!;
    bits.write(code.bits, code.length);
    if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
    bits.write(0, 1); // end of block
  };
  // The first MCU sets each component's DC; four luma blocks, then Cb, then Cr.
  block(dc(y, LUMA_QUANT[0]!), lumaDc);
  for (let i = 0; i < 3; i++) block(0, lumaDc);
  block(dc(cb, CHROMA_QUANT[0]!), chromaDc);
  block(dc(cr, CHROMA_QUANT[0]!), chromaDc);
  // Every later block repeats the DC (code "00") and ends at once (code "0"): all zero bits.
  bits.writeZeros((mcus - 1) * 18);
  const sos = segment(0xda, Buffer.from([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]));
  return Buffer.concat([sos, bits.finish()]);
}

/** A COM segment carrying `data` (at most JPEG_COMMENT_MAX_DATA bytes). */
export function jpegComment(data: Uint8Array): Buffer {
  return segment(0xfe, data);
}

function segment(marker: number, payload: Uint8Array): Buffer {
  const header = Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 255]);
  return Buffer.concat([header, payload]);
}

function toYCbCr([r, g, b]: Rgb): Rgb {
  return [
    0.299 * r + 0.587 * g + 0.114 * b,
    128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
    128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
  ];
}

interface HuffmanCode {
  bits: number;
  length: number;
}

/** Canonical Huffman codes (Annex C) for symbols 0, 1, 2… given the count of codes of each length. */
function huffmanCodes(countsByLength: number[]): HuffmanCode[] {
  const codes: HuffmanCode[] = [];
  let code = 0;
  countsByLength.forEach((count, index) => {
    for (let i = 0; i < count; i++) codes.push({ bits: code++, length: index + 1 });
    code <<= 1;
  });
  return codes;
}

/** Packs bits MSB-first, stuffing a zero byte after every 0xFF as entropy-coded data requires. */
class BitWriter {
  #bytes: Buffer;
  #length = 0;
  #pending = 0;
  #pendingBits = 0;

  constructor(capacity: number) {
    this.#bytes = Buffer.alloc(capacity);
  }

  write(value: number, count: number): void {
    this.#pending = (this.#pending << count) | (value & ((1 << count) - 1));
    this.#pendingBits += count;
    while (this.#pendingBits >= 8) {
      this.#pendingBits -= 8;
      this.#push((this.#pending >>> this.#pendingBits) & 255);
    }
    this.#pending &= (1 << this.#pendingBits) - 1;
  }

  /** Appends `count` zero bits; whole zero bytes are left as allocated. */
  writeZeros(count: number): void {
    const head = Math.min(count, (8 - this.#pendingBits) % 8);
    this.write(0, head);
    const wholeBytes = Math.floor((count - head) / 8);
    this.#ensure(wholeBytes);
    this.#length += wholeBytes;
    this.write(0, count - head - wholeBytes * 8);
  }

  /** Pads the last byte with one bits (as the standard asks) and returns the data. */
  finish(): Buffer {
    if (this.#pendingBits > 0) this.write((1 << (8 - this.#pendingBits)) - 1, 8 - this.#pendingBits);
    return this.#bytes.subarray(0, this.#length);
  }

  #push(byte: number): void {
    this.#ensure(2);
    this.#bytes[this.#length++] = byte;
    if (byte === 0xff) this.#bytes[this.#length++] = 0;
  }

  #ensure(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    const grown = Buffer.alloc(Math.max(this.#bytes.length * 2, this.#length + extra));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }
}
