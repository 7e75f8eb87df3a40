import { createHash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { ContentMeter, type ExpectedContent } from "./content-meter.ts";
import { ContentMismatchError } from "./errors.ts";

const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
const md5 = createHash("md5").update(bytes).digest("hex");
const sha256 = createHash("sha256").update(bytes).digest("hex");

/** Streams `bytes` in 7 KiB chunks through a meter into a sink; resolves with what reached the sink. */
async function meter(
  expected: ExpectedContent,
  headerLimit = 1000,
): Promise<{ meter: ContentMeter; out: Buffer }> {
  const chunks: Buffer[] = [];
  const source = Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 7168) }, (_, i) =>
      bytes.subarray(i * 7168, (i + 1) * 7168),
    ),
  );
  const contentMeter = new ContentMeter({ expected, headerLimit });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await pipeline(source, contentMeter, sink);
  return { meter: contentMeter, out: Buffer.concat(chunks) };
}

describe("ContentMeter", () => {
  it("passes the bytes through unchanged and measures them", async () => {
    const { meter: measuredBy, out } = await meter({ md5, size: bytes.length });
    expect(out.equals(bytes)).toBe(true);
    expect(measuredBy.measured).toEqual({ size: bytes.length, md5, sha256 });
    expect(measuredBy.header()).toEqual(bytes.subarray(0, 1000));
  });

  it("checks nothing Drive did not list", async () => {
    const { meter: measuredBy } = await meter({ md5: null, size: null });
    expect(measuredBy.measured.md5).toBe(md5);
  });

  it("fails the stream when the md5 differs, before the end reaches the consumer", async () => {
    const wrong = "0".repeat(32);
    const contentMeter = new ContentMeter({ expected: { md5: wrong, size: bytes.length }, headerLimit: 0 });
    let finished = false;
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    sink.on("finish", () => (finished = true));
    const flow = pipeline(Readable.from([bytes]), contentMeter, sink);
    await expect(flow).rejects.toThrow(ContentMismatchError);
    await expect(flow).rejects.toThrow(`the bytes' md5 is ${md5} where Drive listed ${wrong}`);
    expect(finished).toBe(false);
  });

  it("fails the stream when the size differs", async () => {
    await expect(meter({ md5, size: bytes.length + 1 })).rejects.toThrow(
      `received ${bytes.length} bytes where Drive listed ${bytes.length + 1}`,
    );
  });

  it("fails the stream as soon as more bytes arrive than Drive listed, passing none of them on", async () => {
    const contentMeter = new ContentMeter({ expected: { md5, size: 7168 }, headerLimit: 0 });
    let received = 0;
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        received += chunk.length;
        done();
      },
    });
    const flow = pipeline(
      Readable.from([bytes.subarray(0, 7168), bytes.subarray(7168, 7169)]),
      contentMeter,
      sink,
    );
    await expect(flow).rejects.toThrow("received more than the 7168 bytes Drive listed");
    expect(received).toBe(7168);
  });

  it("keeps at most the header limit, even from one large chunk", async () => {
    const { meter: measuredBy } = await meter({ md5, size: bytes.length }, 10);
    expect(measuredBy.header()).toEqual(bytes.subarray(0, 10));
  });
});
