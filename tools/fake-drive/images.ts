/**
 * Real JPEG and PNG files of an exact byte size: a flat-colour image padded with comment segments (JPEG) or
 * private ancillary chunks (PNG) placed after the header, so header parsers and EXIF readers still find what
 * they need in the first bytes. Prefixes are cached per look and size; each revision adds only a short tag.
 */
import { BoundedCache } from "./bounded-cache.ts";
import { storedLocation, type PhotoMetadata } from "./exif.ts";
import {
  JPEG_COMMENT_MAX_DATA,
  JPEG_COMMENT_OVERHEAD,
  JPEG_EOI,
  jpegComment,
  jpegHead,
  jpegScan,
  type Rgb,
} from "./jpeg.ts";
import { FILLER, planFiller, revisionTag, TAG_LENGTH, type ContentLayout, type Segment } from "./layout.ts";
import { PNG_CHUNK_OVERHEAD, PNG_IEND, pngChunk, pngHead, pngImageData } from "./png.ts";
import { hashString } from "./random.ts";

export type ImageFormat = "jpeg" | "png";

/** What an image looks like; the same spec and size always give the same prefix bytes. */
export interface ImageSpec {
  format: ImageFormat;
  width: number;
  height: number;
  /** The flat colour; derived from the other fields when omitted. */
  color?: Rgb;
  /** JPEG only: written as EXIF and reported in imageMediaMetadata. */
  photo?: PhotoMetadata;
}

/** Drive's imageMediaMetadata subset the fake reports. */
export interface ImageMediaMetadata {
  width: number;
  height: number;
  rotation: number;
  time?: string;
  cameraMake?: string;
  cameraModel?: string;
  location?: { latitude: number; longitude: number; altitude?: number };
}

export const IMAGE_MIME_TYPES: Record<ImageFormat, string> = { jpeg: "image/jpeg", png: "image/png" };

const PNG_FILLER_SEGMENT = 65_536;
const PNG_COMMENT_KEYWORD = Buffer.from("Comment\0", "latin1");

interface ImageParts {
  key: string;
  head: Buffer;
  body: Buffer;
  fillerOverhead: number;
  fillerMaxSegment: number;
  wholeFiller: Buffer;
  /** Tail bytes with no padding: the tag plus its framing plus the trailer. */
  tailLength: number;
  /** Prefixes by file size. */
  prefixes: BoundedCache<number, Prefix>;
}

interface Prefix {
  /** Built once per look and size, so caches keyed by it hash the string once. */
  key: string;
  segments: Segment[];
  /** Filler bytes too few to frame, carried by the tail instead. */
  leftover: number;
}

const specKeys = new WeakMap<ImageSpec, string>();
const metadataCache = new WeakMap<ImageSpec, Readonly<ImageMediaMetadata>>();
const partsCache = new BoundedCache<string, ImageParts>(64);
let jpegFiller: Buffer | undefined;
let pngFiller: Buffer | undefined;

/** The smallest file a spec fits in (no padding at all). */
export function minimumImageSize(spec: ImageSpec): number {
  const parts = imageParts(spec);
  return parts.head.length + parts.body.length + parts.tailLength;
}

/** The layout of a `size`-byte image; `tagSeed` makes the bytes unique to one file revision. */
export function imageLayout(spec: ImageSpec, size: number, tagSeed: string): ContentLayout {
  const parts = imageParts(spec);
  const prefix = parts.prefixes.get(size, () => buildPrefix(spec, parts, size));
  const tag = revisionTag(tagSeed);
  const tail =
    spec.format === "jpeg"
      ? Buffer.concat([jpegComment(Buffer.concat([tag, Buffer.alloc(prefix.leftover, " ")])), JPEG_EOI])
      : Buffer.concat([
          pngChunk("tEXt", Buffer.concat([PNG_COMMENT_KEYWORD, tag, Buffer.alloc(prefix.leftover, " ")])),
          PNG_IEND,
        ]);
  return { size, prefixKey: prefix.key, prefix: prefix.segments, tail };
}

function buildPrefix(spec: ImageSpec, parts: ImageParts, size: number): Prefix {
  const fillerBytes = size - parts.head.length - parts.body.length - parts.tailLength;
  if (fillerBytes < 0) {
    throw new Error(
      `a ${spec.width}x${spec.height} ${spec.format} needs at least ${minimumImageSize(spec)} bytes, got ${size}`,
    );
  }
  const plan = planFiller(fillerBytes, parts.fillerOverhead, parts.fillerMaxSegment);
  return {
    key: `${parts.key}|${size}`,
    segments: [
      { bytes: parts.head, repeat: 1 },
      { bytes: parts.wholeFiller, repeat: plan.whole },
      ...plan.partial.map((total) => ({ bytes: fillerSegment(spec.format, total), repeat: 1 })),
      { bytes: parts.body, repeat: 1 },
    ],
    leftover: plan.leftover,
  };
}

/** What Drive reports for an image of this spec (one frozen object per spec: listings reuse it). */
export function imageMediaMetadata(spec: ImageSpec): Readonly<ImageMediaMetadata> {
  let metadata = metadataCache.get(spec);
  if (!metadata) {
    const photo = spec.format === "jpeg" ? spec.photo : undefined;
    const fields: ImageMediaMetadata = {
      width: spec.width,
      height: spec.height,
      rotation: photo?.rotation ?? 0,
    };
    if (photo?.time !== undefined) fields.time = photo.time;
    if (photo?.cameraMake !== undefined) fields.cameraMake = photo.cameraMake;
    if (photo?.cameraModel !== undefined) fields.cameraModel = photo.cameraModel;
    if (photo?.location !== undefined) fields.location = Object.freeze(storedLocation(photo.location));
    metadata = Object.freeze(fields);
    metadataCache.set(spec, metadata);
  }
  return metadata;
}

function specKey(spec: ImageSpec): string {
  let key = specKeys.get(spec);
  if (key === undefined) {
    key = JSON.stringify([spec.format, spec.width, spec.height, colorOf(spec), spec.photo ?? null]);
    specKeys.set(spec, key);
  }
  return key;
}

function colorOf(spec: ImageSpec): Rgb {
  if (spec.color) return spec.color;
  const hash = hashString(`${spec.format}${spec.width}x${spec.height}`);
  return [hash & 255, (hash >>> 8) & 255, (hash >>> 16) & 255];
}

function imageParts(spec: ImageSpec): ImageParts {
  return partsCache.get(specKey(spec), (key) => {
    const color = colorOf(spec);
    const prefixes = new BoundedCache<number, Prefix>(64);
    if (spec.format === "jpeg") {
      return {
        key,
        prefixes,
        head: jpegHead(spec.width, spec.height, spec.photo),
        body: jpegScan(spec.width, spec.height, color),
        fillerOverhead: JPEG_COMMENT_OVERHEAD,
        fillerMaxSegment: JPEG_COMMENT_OVERHEAD + JPEG_COMMENT_MAX_DATA,
        wholeFiller: (jpegFiller ??= fillerSegment("jpeg", JPEG_COMMENT_OVERHEAD + JPEG_COMMENT_MAX_DATA)),
        tailLength: JPEG_COMMENT_OVERHEAD + TAG_LENGTH + JPEG_EOI.length,
      };
    }
    return {
      key,
      prefixes,
      head: pngHead(spec.width, spec.height, color),
      body: pngImageData(spec.width, spec.height),
      fillerOverhead: PNG_CHUNK_OVERHEAD,
      fillerMaxSegment: PNG_FILLER_SEGMENT,
      wholeFiller: (pngFiller ??= fillerSegment("png", PNG_FILLER_SEGMENT)),
      tailLength: PNG_CHUNK_OVERHEAD + PNG_COMMENT_KEYWORD.length + TAG_LENGTH + PNG_IEND.length,
    };
  });
}

/** One framed filler segment of `total` bytes: a COM segment, or a private safe-to-copy "fdPd" chunk. */
function fillerSegment(format: ImageFormat, total: number): Buffer {
  return format === "jpeg"
    ? jpegComment(FILLER.subarray(0, total - JPEG_COMMENT_OVERHEAD))
    : pngChunk("fdPd", FILLER.subarray(0, total - PNG_CHUNK_OVERHEAD));
}
