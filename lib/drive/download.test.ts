import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STOCK_IMAGES } from "../../tools/fake-drive/index.ts";
import { DriveClients, type DriveClient } from "./client.ts";
import { openFileStream } from "./download.ts";
import { DriveError } from "./errors.ts";
import { quickSettings, startDriveUnderTest, testApiKey, type DriveUnderTest } from "./test-support.ts";

async function md5Of(body: Readable): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function failureOf(body: Readable): Promise<DriveError> {
  const error = await md5Of(body).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DriveError);
  expect((error as DriveError).message).not.toContain(testApiKey);
  return error as DriveError;
}

describe("openFileStream", () => {
  let env: DriveUnderTest;
  let folderId: string;
  let photoId: string;
  const photoSize = 2_000_000;

  beforeEach(async () => {
    env = await startDriveUnderTest();
    folderId = env.fake.tree.addFolder({ name: "Photos" });
    photoId = env.fake.tree.addFile({
      parentId: folderId,
      name: "park.jpg",
      image: STOCK_IMAGES.parkHd,
      size: photoSize,
    });
  });
  afterEach(() => env.close());

  async function listedMd5(fileId: string, resourceKey?: string): Promise<string | null | undefined> {
    const headers =
      resourceKey === undefined ? {} : { "X-Goog-Drive-Resource-Keys": `${fileId}/${resourceKey}` };
    const { data } = await env.drive.files.get({ fileId, fields: "md5Checksum" }, { headers });
    return data.md5Checksum;
  }

  it("streams exactly the file's bytes: the md5 is Drive's md5Checksum and the length its Content-Length", async () => {
    const download = await openFileStream(env.drive, photoId);
    expect(download.contentLength).toBe(photoSize);
    expect(await md5Of(download.body)).toBe(await listedMd5(photoId));
  });

  it("downloads a file that needs its resource key, and fails as not found without it", async () => {
    const key = env.fake.tree.setResourceKey(photoId);
    const download = await openFileStream(env.drive, photoId, { resourceKey: key });
    expect(await md5Of(download.body)).toBe(await listedMd5(photoId, key));
    await expect(openFileStream(env.drive, photoId)).rejects.toMatchObject({ kind: "notFound" });
  });

  it("retries opening the stream through transient errors", async () => {
    env.fake.faults.add({ routes: ["media"], error: "serviceUnavailable", times: 2 });
    const download = await openFileStream(env.drive, photoId);
    expect(await md5Of(download.body)).toBe(await listedMd5(photoId));
    expect(env.fake.stats.snapshot().byRoute.media).toBe(3);
  });

  it("surfaces a connection cut mid-stream as a transient error, without retrying the middle", async () => {
    env.fake.faults.add({ routes: ["media"], cutAfterBytes: 300_000, times: 1 });
    const download = await openFileStream(env.drive, photoId);
    const error = await failureOf(download.body);
    expect(error).toMatchObject({ kind: "transient", retryable: true });
    expect(env.fake.stats.snapshot().byRoute.media).toBe(1);
  });

  /** A client on the same fake whose downloads give up after 400 ms without bytes. */
  function impatientDrive(): { drive: DriveClient; close: () => void } {
    const clients = new DriveClients({ ...quickSettings, rootUrl: env.fake.rootUrl, stallTimeoutMs: 400 });
    return { drive: clients.forApiKey(testApiKey), close: () => clients.close() };
  }

  it("fails a stream that stalls with a transient 'stalled' error", async () => {
    // 1 KiB about every second: Drive is still there, but too slow for the stall timeout.
    env.fake.faults.add({ routes: ["media"], bandwidthBytesPerSecond: 1_024, times: 1 });
    const impatient = impatientDrive();
    const download = await openFileStream(impatient.drive, photoId);
    const error = await failureOf(download.body);
    impatient.close();
    expect(error).toMatchObject({ kind: "transient", reason: "stalled", retryable: true });
  });

  it("does not count time the reader spends not reading as a stall", async () => {
    const impatient = impatientDrive();
    const download = await openFileStream(impatient.drive, photoId);
    const hash = createHash("md5");
    let paused = false;
    for await (const chunk of download.body) {
      hash.update(chunk as Buffer);
      if (!paused) {
        paused = true;
        await sleep(1_200); // three stall timeouts with the reader busy elsewhere
      }
    }
    impatient.close();
    expect(hash.digest("hex")).toBe(await listedMd5(photoId));
  });

  it("ends the transfer as aborted when the caller's signal fires", async () => {
    env.fake.faults.add({ routes: ["media"], bandwidthBytesPerSecond: 200_000, times: 1 });
    const controller = new AbortController();
    const download = await openFileStream(env.drive, photoId, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(failureOf(download.body)).resolves.toMatchObject({ kind: "aborted" });
  });
});
