import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import type { FakeDrive } from "./index.ts";
import { download, readAll, startTestDrive } from "./test-support.ts";

describe("download faults", () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let fileId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    fileId = fake.tree.addFile({
      name: "big.jpg",
      image: { format: "jpeg", width: 800, height: 600 },
      size: 1_000_000,
    });
  });
  afterAll(() => fake.close());

  it("cuts the connection mid-body after K bytes: the client's stream fails", async () => {
    fake.faults.add({ fileId, routes: ["media"], cutAfterBytes: 100_000, times: 1 });
    const response = await client.files.get({ fileId, alt: "media" }, { responseType: "stream" });
    expect(response.status).toBe(200);
    let received = 0;
    const failure = await (async () => {
      try {
        for await (const chunk of response.data as unknown as AsyncIterable<Buffer>) received += chunk.length;
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(Error);
    expect(received).toBe(100_000);
    expect(fake.stats.snapshot().streamsCut).toBe(1);
    expect((await download(client, fileId)).length).toBe(1_000_000); // the next try is whole
  });

  it("still serves the right bytes under a bandwidth cap and added latency", async () => {
    const { data } = await client.files.get({ fileId, fields: "md5Checksum" });
    fake.faults.add({
      fileId,
      routes: ["media"],
      bandwidthBytesPerSecond: 20_000_000,
      latencyMs: 20,
      times: 1,
    });
    const bytes = await download(client, fileId);
    expect(createHash("md5").update(bytes).digest("hex")).toBe(data.md5Checksum);
  });

  it("streams a large file without holding it (1 GiB, ranged reads at both ends)", async () => {
    const hugeId = fake.tree.addFile({
      name: "huge.png",
      image: { format: "png", width: 64, height: 64 },
      size: 2 ** 30,
    });
    const { data } = await client.files.get({ fileId: hugeId, fields: "size" });
    expect(data.size).toBe(String(2 ** 30));
    const response = await client.files.get(
      { fileId: hugeId, alt: "media" },
      { responseType: "stream", headers: { Range: `bytes=${2 ** 30 - 12}-` } },
    );
    const end = await readAll(response.data);
    expect(end.toString("latin1")).toBe("\0\0\0\0IEND\xae\x42\x60\x82"); // a PNG's last chunk
    const start = await download(client, hugeId, { Range: "bytes=0-7" });
    expect(start.toString("latin1")).toBe("\x89PNG\r\n\x1a\n");
  });
});
