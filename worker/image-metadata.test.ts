import { describe, expect, it } from "vitest";
import { jpegHead } from "../tools/fake-drive/jpeg.ts";
import { pngHead } from "../tools/fake-drive/png.ts";
import { parseExifDate, readImageMetadata } from "./image-metadata.ts";

// Real JPEG and PNG headers from the fake Drive's image writer (what it serves is what Drive would).
const photo = jpegHead(4032, 3024, {
  cameraMake: "Canon",
  cameraModel: "EOS R5",
  time: "2023:08:14 17:05:09",
  location: { latitude: 59.3293, longitude: 18.0686 },
});

describe("readImageMetadata", () => {
  it("reads dimensions, capture time, camera and location from a JPEG's header", async () => {
    const metadata = await readImageMetadata(photo);
    expect(metadata).toMatchObject({
      width: 4032,
      height: 3024,
      takenAt: new Date("2023-08-14T17:05:09Z"),
      cameraMake: "Canon",
      cameraModel: "EOS R5",
    });
    expect(metadata.latitude).toBeCloseTo(59.3293, 4);
    expect(metadata.longitude).toBeCloseTo(18.0686, 4);
  });

  it("prefers what Drive listed, except dimensions, which the stored bytes decide", async () => {
    const metadata = await readImageMetadata(photo, {
      width: 100,
      height: 100,
      takenAt: "2020-01-02T03:04:05Z",
      cameraMake: "Drive Make",
      cameraModel: "Drive Model",
      latitude: 1.5,
      longitude: 2.5,
    });
    expect(metadata).toEqual({
      width: 4032,
      height: 3024,
      takenAt: new Date("2020-01-02T03:04:05Z"),
      cameraMake: "Drive Make",
      cameraModel: "Drive Model",
      latitude: 1.5,
      longitude: 2.5,
    });
  });

  it("accepts Drive's own EXIF-style time", async () => {
    expect((await readImageMetadata(photo, { takenAt: "2019:12:31 23:59:58" })).takenAt).toEqual(
      new Date("2019-12-31T23:59:58Z"),
    );
  });

  it("reads a PNG's size and finds no EXIF", async () => {
    expect(await readImageMetadata(pngHead(300, 200, [10, 20, 30]))).toEqual({
      width: 300,
      height: 200,
      takenAt: null,
      cameraMake: null,
      cameraModel: null,
      latitude: null,
      longitude: null,
    });
  });

  it("keeps Drive's values when the header is cut short or is no image", async () => {
    const listed = { width: 640, height: 480 };
    expect(await readImageMetadata(photo.subarray(0, 40), listed)).toMatchObject(listed);
    expect(await readImageMetadata(Buffer.from("%PDF-1.7 not an image"), listed)).toMatchObject(listed);
  });
});

describe("parseExifDate", () => {
  it("applies the offset tag when there is one, else takes UTC", () => {
    expect(parseExifDate("2023:08:14 17:05:09", "+02:00")).toEqual(new Date("2023-08-14T15:05:09Z"));
    expect(parseExifDate("2023:08:14 17:05:09")).toEqual(new Date("2023-08-14T17:05:09Z"));
  });

  it("refuses an unset camera clock", () => {
    expect(parseExifDate("0000:00:00 00:00:00")).toBeNull();
    expect(parseExifDate(undefined)).toBeNull();
  });
});
