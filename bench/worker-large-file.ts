/**
 * Memory while one worker process streams a large file (1 GiB by default) from the fake Drive into the local
 * S3 server: the file goes through in parts, so the worker's resident memory stays bounded by its part size
 * and upload queue, not by the file.
 *
 *   node bench/worker-large-file.ts [--stack-env .local/env] [--gib 1] [--part-mib 8] [--part-concurrency 2]
 *
 * Runs against the local stack bench/run.ts (`make bench`) hands over in the environment, or the one an env
 * file describes (`--stack-env .local/env` after `make up`).
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { parseArgs } from "node:util";
import { freePort } from "../test/support/free-port.ts";
import { publishImport, testApiKey } from "../test/worker/publish-import.ts";
import { startFakeDrive } from "../tools/fake-drive/index.ts";
import {
  createBenchWorld,
  machineDescription,
  mib,
  stackEnvironment,
  startMeasuredProcess,
  waitForHttpOk,
  waitForImport,
  workerEnv,
} from "./worker-bench-support.ts";
import { chartNodeOptions } from "./chart-settings.ts";
import { compiledEntry } from "./compiled-entry.ts";

const { values } = parseArgs({
  options: {
    "stack-env": { type: "string" },
    gib: { type: "string", default: "1" },
    "part-mib": { type: "string", default: "8" },
    "part-concurrency": { type: "string", default: "2" },
  },
});
const size = Math.round(Number(values.gib) * 2 ** 30);
const metricsPort = await freePort();

const drive = await startFakeDrive({ apiKeys: [testApiKey] });
const folderId = drive.tree.addFolder({ name: "Large" });
drive.tree.addFile({
  name: "huge.jpg",
  parentId: folderId,
  image: { format: "jpeg", width: 30000, height: 20000 },
  size,
});
const world = await createBenchWorld(stackEnvironment(values["stack-env"]), "large");
try {
  const worker = startMeasuredProcess(
    process.execPath,
    [compiledEntry("worker")],
    workerEnv(world, drive.rootUrl, {
      METRICS_PORT: String(metricsPort),
      S3_PART_SIZE_MIB: values["part-mib"],
      S3_PART_CONCURRENCY: values["part-concurrency"],
    }),
  );
  await waitForHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, worker);
  const idleRss = worker.rssBytes();
  // Resident memory sampled through the transfer: flat from the first part to the last if it is bounded.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(worker.rssBytes()), 100);

  const startedAt = performance.now();
  const { importUid, tasks } = await publishImport({ ...world, drive }, folderId);
  const { states } = await waitForImport(world.db, importUid, 1, () => undefined);
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  const peakRss = worker.peakRssBytes();
  worker.child.kill("SIGTERM");
  await worker.exited;

  const [task] = tasks;
  const head = await world.s3.send(
    new HeadObjectCommand({ Bucket: world.bucket, Key: task?.objectKey ?? "" }),
  );
  const [row] = await world.db
    .selectFrom("images")
    .select(["md5", "size"])
    .where("import_uid", "=", importUid)
    .execute();
  console.log(
    `\nworker large file: ${mib(size)} from the fake Drive into the local S3 server, one worker process`,
  );
  console.log(`machine: ${machineDescription()}`);
  console.log(
    `settings: part ${values["part-mib"]} MiB, ${values["part-concurrency"]} parts in flight, NODE_OPTIONS "${chartNodeOptions("worker")}" (the Helm chart's)\n`,
  );
  console.log(
    `file state: ${JSON.stringify(states)}; object ${head.ContentLength ?? 0} bytes, ETag ${head.ETag ?? "?"}`,
  );
  console.log(
    `md5: Drive ${task?.md5 ?? "?"}, recorded ${row?.md5 ?? "?"}, object metadata ${head.Metadata?.md5 ?? "?"}`,
  );
  console.log(`time: ${seconds.toFixed(1)} s (${(size / 1e6 / seconds).toFixed(1)} MB/s, publish included)`);
  const quarters = [0, 1, 2, 3].map((quarter) =>
    Math.max(...samples.slice((quarter * samples.length) / 4, ((quarter + 1) * samples.length) / 4)),
  );
  console.log(`worker RSS: idle ${mib(idleRss)}, peak ${mib(peakRss)} (VmHWM)`);
  console.log(`worker RSS peak per quarter of the transfer: ${quarters.map(mib).join(", ")}`);
} finally {
  await world.close();
  await drive.close();
}
