import exifr from "exifr";
import { imageSize } from "image-size";
import type { TaskImageMetadata } from "../lib/queue/index.ts";

/** An image's catalogue metadata, as the `images` row stores it. */
export interface ImageMetadata {
  width: number | null;
  height: number | null;
  takenAt: Date | null;
  cameraMake: string | null;
  cameraModel: string | null;
  latitude: number | null;
  longitude: number | null;
}

/**
 * Keeping the first 512 KiB covers a JPEG's EXIF (APP1 is at most 64 KiB) plus XMP and ICC segments before
 * the frame header in all but exotic files; PNG, GIF and WebP put their size in the first bytes.
 */
export const imageHeaderBytes = 512 * 1024;

/**
 * The image's metadata from Drive's listing, completed from the file's first bytes: pixel dimensions from the
 * header (what was stored wins over what Drive said) and, only where Drive gave none, capture time, camera
 * and location from EXIF. Never decodes pixels; a header it cannot read leaves the fields to Drive (or null).
 */
export async function readImageMetadata(
  header: Buffer,
  listed: TaskImageMetadata = {},
): Promise<ImageMetadata> {
  const dimensions = readDimensions(header);
  const metadata: ImageMetadata = {
    width: dimensions?.width ?? listed.width ?? null,
    height: dimensions?.height ?? listed.height ?? null,
    takenAt: parseExifDate(listed.takenAt) ?? parseTimestamp(listed.takenAt),
    cameraMake: cleanText(listed.cameraMake),
    cameraModel: cleanText(listed.cameraModel),
    latitude: listed.latitude ?? null,
    longitude: listed.longitude ?? null,
  };
  const complete =
    metadata.takenAt !== null &&
    metadata.cameraMake !== null &&
    metadata.cameraModel !== null &&
    metadata.latitude !== null &&
    metadata.longitude !== null;
  if (complete || !mayCarryExif(header)) return metadata;
  const exif = await readExif(header);
  return {
    ...metadata,
    takenAt: metadata.takenAt ?? exif.takenAt,
    cameraMake: metadata.cameraMake ?? exif.cameraMake,
    cameraModel: metadata.cameraModel ?? exif.cameraModel,
    // Latitude and longitude only ever come as a pair, from one source.
    ...(metadata.latitude === null || metadata.longitude === null
      ? { latitude: exif.latitude, longitude: exif.longitude }
      : {}),
  };
}

function readDimensions(header: Buffer): { width: number; height: number } | undefined {
  try {
    const { width, height } = imageSize(header);
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    // Not an image format image-size knows, or the header is cut short: Drive's values stand.
    return undefined;
  }
}

const jpegSignature = Buffer.from([0xff, 0xd8]);
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/**
 * Whether EXIF may be in the header: JPEGs carry it in an "Exif" APP1 segment and PNGs in an eXIf chunk, so a
 * cheap search spares exifr a scan of every photo without (a few ms each). Other formats go to exifr.
 */
function mayCarryExif(header: Buffer): boolean {
  if (header.subarray(0, 2).equals(jpegSignature)) return header.includes("Exif\0\0", 0, "latin1");
  if (header.subarray(0, 4).equals(pngSignature)) return header.includes("eXIf", 0, "latin1");
  return true;
}

type ExifFields = Pick<ImageMetadata, "takenAt" | "cameraMake" | "cameraModel" | "latitude" | "longitude">;

const noExif: ExifFields = {
  takenAt: null,
  cameraMake: null,
  cameraModel: null,
  latitude: null,
  longitude: null,
};

interface ExifTags {
  Make?: unknown;
  Model?: unknown;
  DateTimeOriginal?: unknown;
  OffsetTimeOriginal?: unknown;
  CreateDate?: unknown;
  latitude?: unknown;
  longitude?: unknown;
}

async function readExif(header: Buffer): Promise<ExifFields> {
  let tags: ExifTags | undefined;
  try {
    // Raw values (no revival): EXIF dates have no zone, and reviving them would apply the process's.
    tags = (await exifr.parse(header, {
      tiff: true,
      exif: true,
      gps: true,
      ifd1: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      reviveValues: false,
    })) as ExifTags | undefined;
  } catch {
    return noExif;
  }
  if (tags === undefined) return noExif;
  const latitude = finiteIn(tags.latitude, 90);
  const longitude = finiteIn(tags.longitude, 180);
  const located = latitude !== null && longitude !== null && !(latitude === 0 && longitude === 0);
  return {
    takenAt: parseExifDate(tags.DateTimeOriginal ?? tags.CreateDate, tags.OffsetTimeOriginal),
    cameraMake: cleanText(tags.Make),
    cameraModel: cleanText(tags.Model),
    latitude: located ? latitude : null,
    longitude: located ? longitude : null,
  };
}

/** "YYYY:MM:DD HH:MM:SS" with an optional "+HH:MM" offset tag; without one the time is taken as UTC. */
export function parseExifDate(value: unknown, offset?: unknown): Date | null {
  if (typeof value !== "string") return null;
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (match === null) return null;
  const [, year, month, day, hour, minute, second] = match;
  const zone = typeof offset === "string" && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : "Z";
  return parseTimestamp(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
}

function parseTimestamp(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  // Cameras with unset clocks write "0000:00:00 00:00:00", which is no date at all.
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function cleanText(value: unknown): string | null {
  if (typeof value !== "string") return null;
  // EXIF ASCII fields are NUL-padded; PostgreSQL text refuses NUL.
  const text = value.replaceAll("\u0000", "").trim();
  return text === "" ? null : text;
}

function finiteIn(value: unknown, limit: number): number | null {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
}
