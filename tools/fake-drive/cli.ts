/**
 * Runs the fake Drive until SIGTERM, printing one JSON line: its URL, keys and root folders.
 *
 *   node tools/fake-drive/cli.ts [--host 127.0.0.1] [--port 0] [--api-key K]... [--fixture tree.json]
 *     [--generate N --size S [--folders F] [--depth D]] [--demo] [--latency-ms MS] [--bandwidth B/s]
 *     [--rate-limit R[/BURST]] [--seed TEXT]
 *
 * Sizes take K/M/G (powers of 1000) or KiB/MiB/GiB; the control endpoint is /_fake/ (see control.ts).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateTree, loadFixture, seedDemoFolder, startFakeDrive, type FakeDrive } from "./index.ts";

const DEFAULT_API_KEY = "fake-drive-key";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "api-key": { type: "string", multiple: true },
    fixture: { type: "string" },
    generate: { type: "string" },
    size: { type: "string", default: "200KB" },
    folders: { type: "string", default: "0" },
    depth: { type: "string" },
    demo: { type: "boolean", default: false },
    "latency-ms": { type: "string", default: "0" },
    bandwidth: { type: "string" },
    "rate-limit": { type: "string" },
    seed: { type: "string" },
  },
});

/** A whole number from a flag, or exit with a message naming the flag. */
function count(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) fail(`--${flag} must be a whole number ≥ 0, got "${text}"`);
  return value;
}

/** Bytes from "1500", "200KB", "1.5M", "2MiB"… */
function bytes(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMG]i?)?B?$/i.exec(text.trim());
  if (!match) fail(`--${flag} is a size like 1500, 200KB or 2MiB, got "${text}"`);
  const unit = (match[2] ?? "").toLowerCase();
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30 }[unit] ?? 1;
  return Math.round(Number(match[1]) * scale);
}

function fail(message: string): never {
  console.error(`fake-drive: ${message}`);
  process.exit(2);
}

function rateLimit(text: string | undefined): { requestsPerSecond: number; burst: number } | undefined {
  if (text === undefined) return undefined;
  const [rate = "", burst] = text.split("/");
  const requestsPerSecond = Number(rate);
  if (!(requestsPerSecond > 0)) fail(`--rate-limit is R or R/BURST with R > 0, got "${text}"`);
  return {
    requestsPerSecond,
    burst: burst === undefined ? Math.max(1, Math.ceil(requestsPerSecond)) : count("rate-limit", burst),
  };
}

let fake: FakeDrive;
try {
  fake = await startFakeDrive({
    host: values.host,
    port: count("port", values.port),
    apiKeys: values["api-key"] ?? [DEFAULT_API_KEY],
    latencyMs: count("latency-ms", values["latency-ms"]),
    bandwidthBytesPerSecond:
      values.bandwidth === undefined ? undefined : bytes("bandwidth", values.bandwidth),
    rateLimit: rateLimit(values["rate-limit"]),
    idSeed: values.seed,
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const folders: Array<{ id: string; name: string; resourceKey?: string; folderUrl: string; source: string }> =
  [];
const describe = (id: string, source: string): void => {
  const item = fake.tree.get(id);
  if (!item) return;
  const key = item.resourceKey === undefined ? {} : { resourceKey: item.resourceKey };
  folders.push({ id, name: item.name, ...key, folderUrl: fake.folderUrl(id), source });
};
try {
  if (values.fixture !== undefined) {
    const fixture: unknown = JSON.parse(readFileSync(values.fixture, "utf8"));
    for (const root of loadFixture(fake.tree, fixture).roots) describe(root.id, "fixture");
  }
  if (values.generate !== undefined) {
    const folderCount = count("folders", values.folders);
    const generated = generateTree(fake.tree, {
      files: count("generate", values.generate),
      size: bytes("size", values.size),
      folders: folderCount,
      depth: values.depth === undefined ? undefined : count("depth", values.depth),
      seed: values.seed,
    });
    describe(generated.rootId, "generated");
  }
  if (values.demo) describe(seedDemoFolder(fake.tree).rootId, "demo");
} catch (error) {
  await fake.close();
  fail(error instanceof Error ? error.message : String(error));
}

console.log(
  JSON.stringify({
    url: fake.url,
    rootUrl: fake.rootUrl,
    apiKeys: values["api-key"] ?? [DEFAULT_API_KEY],
    folders,
  }),
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}
