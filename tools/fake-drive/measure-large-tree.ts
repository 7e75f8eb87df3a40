/**
 * Measures listing a generated tree through the real client: generation time, listing wall and CPU
 * time, and the process's heap/RSS (fake and client share one process, as in the tests). Prints one
 * JSON line with the machine and settings.
 *
 *   node --expose-gc tools/fake-drive/measure-large-tree.ts [--files 100000] [--size 200000] [--folders 0]
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { generateTree, startFakeDrive } from "./index.ts";
import { driveClient } from "./test-support.ts";

/** The product's listing fields (DRIVE.md). */
const PRODUCT_FIELDS =
  "nextPageToken,incompleteSearch,files(id,name,mimeType,size,md5Checksum,sha256Checksum,modifiedTime," +
  "createdTime,parents,resourceKey,shortcutDetails,imageMediaMetadata(width,height,rotation,time,cameraMake," +
  "cameraModel,location),capabilities/canDownload,trashed)";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "100000" },
    size: { type: "string", default: "200000" },
    folders: { type: "string", default: "0" },
  },
});
const files = Number(values.files);
const size = Number(values.size);
const folders = Number(values.folders);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc;

gc?.();
const baseline = process.memoryUsage();
const fake = await startFakeDrive({ apiKeys: ["measure"] });
const client = driveClient(fake, "measure");

let started = performance.now();
const { rootId, folderIds } = generateTree(fake.tree, { files, size, folders, depth: folders > 0 ? 1 : 0 });
const generateMs = performance.now() - started;
gc?.();
const afterGenerate = process.memoryUsage();

started = performance.now();
const cpuBefore = process.cpuUsage();
const parents = folderIds.length > 0 ? folderIds : [rootId];
let listed = 0;
let pages = 0;
let peakRss = 0;
let peakHeap = 0;
for (const parentId of parents) {
  let pageToken: string | undefined;
  do {
    const { data } = await client.files.list({
      q: `'${parentId}' in parents and trashed = false`,
      pageSize: 1000,
      pageToken,
      fields: PRODUCT_FIELDS,
    });
    listed += data.files?.length ?? 0;
    pages += 1;
    pageToken = data.nextPageToken ?? undefined;
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    peakHeap = Math.max(peakHeap, memory.heapUsed);
  } while (pageToken);
}
const listMs = performance.now() - started;
const listCpu = process.cpuUsage(cpuBefore);
await fake.close();

console.log(
  JSON.stringify({
    machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
    loadAverage1m: Number(loadavg()[0]?.toFixed(1)),
    settings: { files, size, folders, pageSize: 1000, fields: "product fields (DRIVE.md)" },
    generateMs: Math.round(generateMs),
    listMs: Math.round(listMs),
    // CPU of fake and client together: steadier than wall time on a shared machine.
    listCpuMs: Math.round((listCpu.user + listCpu.system) / 1000),
    listed,
    pages,
    filesPerSecond: Math.round(listed / (listMs / 1000)),
    heapBaseline: mib(baseline.heapUsed),
    heapAfterGenerate: mib(afterGenerate.heapUsed),
    treeHeapPerItem: `${Math.round((afterGenerate.heapUsed - baseline.heapUsed) / (files + folders + 1))} B`,
    peakHeapWhileListing: mib(peakHeap),
    rssAfterGenerate: mib(afterGenerate.rss),
    peakRssWhileListing: mib(peakRss),
  }),
);
if (listed !== files) process.exit(1);
