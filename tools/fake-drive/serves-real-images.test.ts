import exifr from "exifr";
import { imageSize } from "image-size";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { STOCK_IMAGES, type FakeDrive } from "./index.ts";
import { download, startTestDrive } from "./test-support.ts";

/** Clockwise quarter turns of EXIF orientations 1, 6, 3, 8. */
const ROTATION = { 1: 0, 6: 1, 3: 2, 8: 3 } as Record<number, number>;
const FIELDS =
  "files(id,name,mimeType,imageMediaMetadata(width,height,rotation,time,cameraMake,cameraModel,location))";

describe("image files", () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let folderId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    folderId = fake.tree.addFolder({ name: "images" });
    for (const [name, image] of Object.entries(STOCK_IMAGES)) {
      fake.tree.addFile({ parentId: folderId, name, image, size: 1_000_000 });
    }
  });
  afterAll(() => fake.close());

  it("have headers whose real dimensions and orientation match imageMediaMetadata", async () => {
    const { data } = await client.files.list({ q: `'${folderId}' in parents`, fields: FIELDS });
    expect(data.files).toHaveLength(Object.keys(STOCK_IMAGES).length);
    for (const file of data.files!) {
      // A header parser needs only the first bytes: everything it reads sits before the padding.
      const head = await download(client, file.id!, { Range: "bytes=0-4095" });
      const size = imageSize(head);
      const metadata = file.imageMediaMetadata!;
      expect({ width: size.width, height: size.height }, file.name!).toEqual({
        width: metadata.width,
        height: metadata.height,
      });
      expect(size.type).toBe(file.mimeType === "image/png" ? "png" : "jpg");
      expect(ROTATION[size.orientation ?? 1], file.name!).toBe(metadata.rotation);
    }
  });

  it("carry EXIF that says what imageMediaMetadata says", async () => {
    const { data } = await client.files.list({
      q: `'${folderId}' in parents and mimeType = 'image/jpeg'`,
      fields: FIELDS,
    });
    const withCamera = data.files!.filter((file) => file.imageMediaMetadata?.cameraMake !== undefined);
    expect(withCamera.length).toBeGreaterThanOrEqual(5);
    for (const file of withCamera) {
      const metadata = file.imageMediaMetadata!;
      const exif = (await exifr.parse(await download(client, file.id!, { Range: "bytes=0-4095" }), {
        gps: true,
      })) as Record<string, unknown>;
      expect(exif.Make).toBe(metadata.cameraMake);
      expect(exif.Model).toBe(metadata.cameraModel);
      // exifr reads EXIF times (which carry no zone) as local time.
      const [year = 0, month = 1, day = 0, hour = 0, minute = 0, second = 0] = metadata
        .time!.split(/[: ]/)
        .map(Number);
      expect(exif.DateTimeOriginal).toEqual(new Date(year, month - 1, day, hour, minute, second));
      if (metadata.location) {
        expect(exif.latitude as number).toBeCloseTo(metadata.location.latitude!, 6);
        expect(exif.longitude as number).toBeCloseTo(metadata.location.longitude!, 6);
        expect(exif.GPSAltitude).toBe(metadata.location.altitude);
      }
    }
  });

  it("reads the dimensions of given image bytes", async () => {
    const png = await download(
      client,
      fake.tree.addFile({
        parentId: folderId,
        name: "x.png",
        image: { format: "png", width: 300, height: 200 },
      }),
    );
    const copyId = fake.tree.addFile({
      parentId: folderId,
      name: "copy.png",
      bytes: png,
      mimeType: "image/png",
    });
    const { data } = await client.files.get({ fileId: copyId, fields: "size,imageMediaMetadata" });
    expect(data).toEqual({
      size: String(png.length),
      imageMediaMetadata: { width: 300, height: 200, rotation: 0 },
    });
  });

  it("describe nothing for files that are not images", async () => {
    const fileId = fake.tree.addFile({ parentId: folderId, name: "data.bin", size: 100 });
    const { data } = await client.files.get({ fileId, fields: "id,imageMediaMetadata" });
    expect(data).toEqual({ id: fileId });
  });
});
