/** A minimal EXIF (TIFF) writer: camera, time, orientation and GPS, the tags Drive turns into imageMediaMetadata. */

/** What a photo's EXIF says; Drive reports the same values in imageMediaMetadata. */
export interface PhotoMetadata {
  cameraMake?: string;
  cameraModel?: string;
  /** EXIF date format, as Drive returns it: "YYYY:MM:DD HH:MM:SS". */
  time?: string;
  /** Clockwise quarter turns a viewer applies (Drive's `rotation`); stored as the EXIF Orientation tag. */
  rotation?: 0 | 1 | 2 | 3;
  location?: { latitude: number; longitude: number; altitude?: number };
}

const BYTE = 1;
const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const UNDEFINED = 7;

/** EXIF Orientation for each number of clockwise quarter turns. */
const ORIENTATION_FOR_ROTATION = [1, 6, 3, 8] as const;

interface Entry {
  tag: number;
  type: number;
  count: number;
  value: Buffer;
}

/** The APP1 payload ("Exif\0\0" + little-endian TIFF) describing a photo of the given pixel size. */
export function exifPayload(photo: PhotoMetadata, width: number, height: number): Buffer {
  const ifd0: Entry[] = [];
  if (photo.cameraMake !== undefined) ifd0.push(ascii(0x010f, photo.cameraMake));
  if (photo.cameraModel !== undefined) ifd0.push(ascii(0x0110, photo.cameraModel));
  ifd0.push(short(0x0112, ORIENTATION_FOR_ROTATION[photo.rotation ?? 0]));
  if (photo.time !== undefined) ifd0.push(ascii(0x0132, photo.time));
  const exifPointer = long(0x8769, 0);
  ifd0.push(exifPointer);
  const gpsPointer = photo.location && long(0x8825, 0);
  if (gpsPointer) ifd0.push(gpsPointer);

  const exifIfd: Entry[] = [{ tag: 0x9000, type: UNDEFINED, count: 4, value: Buffer.from("0232") }];
  if (photo.time !== undefined) exifIfd.push(ascii(0x9003, photo.time));
  exifIfd.push(long(0xa002, width), long(0xa003, height));

  const gpsIfd = photo.location ? gpsEntries(photo.location) : [];

  // IFD sizes do not depend on the pointer values, so lay out first and fill the pointers in after.
  const ifd0Offset = 8;
  const exifOffset = ifd0Offset + ifdSize(ifd0);
  const gpsOffset = exifOffset + ifdSize(exifIfd);
  exifPointer.value.writeUInt32LE(exifOffset);
  gpsPointer?.value.writeUInt32LE(gpsOffset);

  const tiff = Buffer.alloc(gpsOffset + (gpsIfd.length > 0 ? ifdSize(gpsIfd) : 0));
  tiff.write("II", 0, "latin1");
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0Offset, 4);
  writeIfd(tiff, ifd0Offset, ifd0);
  writeIfd(tiff, exifOffset, exifIfd);
  if (gpsIfd.length > 0) writeIfd(tiff, gpsOffset, gpsIfd);
  return Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
}

function gpsEntries(location: NonNullable<PhotoMetadata["location"]>): Entry[] {
  const entries: Entry[] = [
    { tag: 0x0000, type: BYTE, count: 4, value: Buffer.from([2, 3, 0, 0]) },
    ascii(0x0001, location.latitude < 0 ? "S" : "N"),
    rationals(0x0002, degreesMinutesSeconds(Math.abs(location.latitude))),
    ascii(0x0003, location.longitude < 0 ? "W" : "E"),
    rationals(0x0004, degreesMinutesSeconds(Math.abs(location.longitude))),
  ];
  if (location.altitude !== undefined) {
    entries.push(
      { tag: 0x0005, type: BYTE, count: 1, value: Buffer.from([location.altitude < 0 ? 1 : 0, 0, 0, 0]) },
      rationals(0x0006, [[Math.round(Math.abs(location.altitude) * 100), 100]]),
    );
  }
  return entries;
}

/** The location as the EXIF rationals store it, i.e. what a reader (and Drive) gets back. */
export function storedLocation(
  location: NonNullable<PhotoMetadata["location"]>,
): NonNullable<PhotoMetadata["location"]> {
  const decimal = (value: number): number => {
    const parts = degreesMinutesSeconds(Math.abs(value)).map(
      ([numerator, denominator]) => numerator / denominator,
    );
    const [degrees = 0, minutes = 0, seconds = 0] = parts;
    return Math.sign(value) * (degrees + minutes / 60 + seconds / 3600);
  };
  const stored = { latitude: decimal(location.latitude), longitude: decimal(location.longitude) };
  return location.altitude === undefined
    ? stored
    : { ...stored, altitude: Math.round(location.altitude * 100) / 100 };
}

/** Degrees, minutes and seconds as rationals; seconds to 1/10000 so decimal degrees survive to ~3 mm. */
function degreesMinutesSeconds(decimal: number): Array<[number, number]> {
  const degrees = Math.floor(decimal);
  const minutesFull = (decimal - degrees) * 60;
  const minutes = Math.floor(minutesFull);
  const seconds = Math.round((minutesFull - minutes) * 60 * 10_000);
  return [
    [degrees, 1],
    [minutes, 1],
    [seconds, 10_000],
  ];
}

function ascii(tag: number, text: string): Entry {
  const value = Buffer.from(text + "\0", "latin1");
  return { tag, type: ASCII, count: value.length, value };
}

function short(tag: number, n: number): Entry {
  const value = Buffer.alloc(4);
  value.writeUInt16LE(n);
  return { tag, type: SHORT, count: 1, value };
}

function long(tag: number, n: number): Entry {
  const value = Buffer.alloc(4);
  value.writeUInt32LE(n);
  return { tag, type: LONG, count: 1, value };
}

function rationals(tag: number, parts: Array<[number, number]>): Entry {
  const value = Buffer.alloc(parts.length * 8);
  parts.forEach(([numerator, denominator], i) => {
    value.writeUInt32LE(numerator, i * 8);
    value.writeUInt32LE(denominator, i * 8 + 4);
  });
  return { tag, type: RATIONAL, count: parts.length, value };
}

/** Entry count, entries, next-IFD pointer, then the values longer than 4 bytes (each padded to even). */
function ifdSize(entries: Entry[]): number {
  return 2 + entries.length * 12 + 4 + entries.reduce((sum, e) => sum + outOfLineLength(e), 0);
}

function outOfLineLength(entry: Entry): number {
  return entry.value.length > 4 ? entry.value.length + (entry.value.length % 2) : 0;
}

function writeIfd(tiff: Buffer, offset: number, entries: Entry[]): void {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  tiff.writeUInt16LE(sorted.length, offset);
  let dataOffset = offset + 2 + sorted.length * 12 + 4;
  sorted.forEach((entry, i) => {
    const at = offset + 2 + i * 12;
    tiff.writeUInt16LE(entry.tag, at);
    tiff.writeUInt16LE(entry.type, at + 2);
    tiff.writeUInt32LE(entry.count, at + 4);
    if (entry.value.length <= 4) {
      entry.value.copy(tiff, at + 8);
    } else {
      tiff.writeUInt32LE(dataOffset, at + 8);
      entry.value.copy(tiff, dataOffset);
      dataOffset += outOfLineLength(entry);
    }
  });
  tiff.writeUInt32LE(0, offset + 2 + sorted.length * 12);
}
