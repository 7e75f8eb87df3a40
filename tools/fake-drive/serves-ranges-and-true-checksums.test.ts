import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { STOCK_IMAGES, type FakeDrive } from "./index.ts";
import { download, failureOf, headerOf, readAll, startTestDrive } from "./test-support.ts";

const CHECKSUM_FIELDS = "id,name,size,md5Checksum,sha1Checksum,sha256Checksum,modifiedTime";
const hash = (algorithm: string, bytes: Buffer): string => createHash(algorithm).update(bytes).digest("hex");

describe("downloads", { timeout: 30_000 }, () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let folderId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    folderId = fake.tree.addFolder({ name: "bytes" });
    const add = (name: string, spec: Omit<Parameters<FakeDrive["tree"]["addFile"]>[0], "name">): void => {
      ids[name] = fake.tree.addFile({ ...spec, name, parentId: folderId });
    };
    add("photo.jpg", { image: STOCK_IMAGES.libertyPortrait, size: 3_000_000 });
    add("same-look.jpg", { image: STOCK_IMAGES.libertyPortrait, size: 3_000_000 });
    add("shot.png", { image: STOCK_IMAGES.screenshot, size: 200_003 });
    add("blob.bin", { size: 1_234_567 });
    add("tiny.bin", { size: 3 });
    add("empty.bin", { size: 0 });
    add("notes.txt", { bytes: Buffer.from("hello drive\n"), mimeType: "text/plain" });
    add("old.jpg", { image: STOCK_IMAGES.scan, size: 50_000, legacyChecksums: true });
  });
  afterAll(() => fake.close());

  it("serves bytes whose md5, sha1 and sha256 equal the listed checksums", async () => {
    const { data } = await client.files.list({
      q: `'${folderId}' in parents`,
      fields: `files(${CHECKSUM_FIELDS})`,
    });
    expect(data.files).toHaveLength(Object.keys(ids).length);
    for (const file of data.files!) {
      const bytes = await download(client, file.id!);
      expect(bytes.length, file.name!).toBe(Number(file.size));
      expect(file.md5Checksum, file.name!).toBe(hash("md5", bytes));
      if (file.name === "old.jpg") {
        expect(file.sha1Checksum).toBeUndefined();
        expect(file.sha256Checksum).toBeUndefined();
      } else {
        expect(file.sha1Checksum, file.name!).toBe(hash("sha1", bytes));
        expect(file.sha256Checksum, file.name!).toBe(hash("sha256", bytes));
      }
    }
    const md5s = new Set(data.files!.map((file) => file.md5Checksum));
    expect(md5s.size).toBe(data.files!.length); // same look and size, still distinct content
  });

  it("answers a Range with 206, Content-Range and exactly those bytes", async () => {
    const whole = await download(client, ids["photo.jpg"]!);
    for (const [range, start, end] of [
      ["bytes=0-99", 0, 100],
      ["bytes=65530-200000", 65_530, 200_001],
      ["bytes=2999990-", 2_999_990, 3_000_000],
      ["bytes=-10", 2_999_990, 3_000_000],
      ["bytes=2999999-9999999", 2_999_999, 3_000_000],
    ] as const) {
      const response = await client.files.get(
        { fileId: ids["photo.jpg"]!, alt: "media" },
        { responseType: "stream", headers: { Range: range } },
      );
      expect(response.status, range).toBe(206);
      expect(headerOf(response.headers, "content-range")).toBe(`bytes ${start}-${end - 1}/3000000`);
      expect(headerOf(response.headers, "content-length")).toBe(String(end - start));
      const part = await readAll(response.data);
      expect(part.equals(whole.subarray(start, end)), range).toBe(true);
    }
  });

  it("answers an unsatisfiable range 416 and ignores a malformed one", async () => {
    const failure = await failureOf(() => download(client, ids["tiny.bin"]!, { Range: "bytes=3-5" }));
    expect(failure.status).toBe(416);
    const response = await fetch(`${fake.url}/drive/v3/files/${ids["tiny.bin"]}?alt=media&key=key-1`, {
      headers: { Range: "bytes=oops" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect((await response.arrayBuffer()).byteLength).toBe(3);
  });

  it("serves bytes that miss the listed md5 when a fault asks for it, same size", async () => {
    const fileId = ids["shot.png"]!;
    const { data } = await client.files.get({ fileId, fields: "md5Checksum,size" });
    fake.faults.add({ fileId, routes: ["media"], wrongMd5: true, times: 1 });
    const wrong = await download(client, fileId);
    expect(wrong.length).toBe(Number(data.size));
    expect(hash("md5", wrong)).not.toBe(data.md5Checksum);
    expect(hash("md5", await download(client, fileId))).toBe(data.md5Checksum);
  });

  it("gives replaced content a new md5 and a later modifiedTime", async () => {
    const fileId = ids["blob.bin"]!;
    const before = (await client.files.get({ fileId, fields: CHECKSUM_FIELDS })).data;
    fake.tree.replaceContent(fileId);
    const after = (await client.files.get({ fileId, fields: CHECKSUM_FIELDS })).data;
    expect(after.md5Checksum).not.toBe(before.md5Checksum);
    expect(after.size).toBe(before.size);
    expect(Date.parse(after.modifiedTime!)).toBeGreaterThan(Date.parse(before.modifiedTime!));
    expect(hash("md5", await download(client, fileId))).toBe(after.md5Checksum);
  });
});
