/**
 * GET /api/images under load: 1,000,000 image rows, pages of 50, by keyset cursor and by offset. The API
 * runs as the chart runs it: compiled (`make build`), as two processes (its replicaCount) on loopback
 * ports, the load spreading its connections over them as a Service does; runs marked "1 API" use one
 * process, what a single replica serves. Callers have the static token, so no Kubernetes round trips. A
 * child process drives the load:
 *   - closed loop (N requests in flight): the most requests per second,
 *   - open loop (a fixed arrival rate; latency counts from each request's scheduled start, so a server
 *     that falls behind cannot hide its queue): latency at that rate.
 * Beside latency it reports CPU per request, of the API processes, of the PostgreSQL backends serving them
 * (from /proc) and of the load process, which a shared machine's load inflates far less than latency.
 * All three share the machine's cores, so their sum bounds the rate it can serve.
 *
 *   make build && DATABASE_URL=postgres://…/any node bench/api-images.ts    (`make bench` runs it on its stack)
 *
 * Settings (environment): BENCH_ROWS (1000000), BENCH_SECONDS per run (10), BENCH_RATE of the open loop
 * (1000), BENCH_CONCURRENCY of the closed loop (8), BENCH_DATABASE to keep (and reuse) a seeded database
 * of that name instead of a fresh one that is dropped.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import pg from "pg";
import { connectDatabase, migrateToLatest } from "../lib/db/index.ts";
import { freePort } from "../test/support/free-port.ts";
import type { LoadPlan, LoadResult } from "./api-images-load.ts";
import { chartLogLevel } from "./chart-settings.ts";
import { compiledEntry } from "./compiled-entry.ts";
import { cpuSecondsOf } from "./proc-figures.ts";
import { startMeasuredProcess, waitForHttpOk, type MeasuredProcess } from "./worker-bench-support.ts";

const pageSize = 50;
// The chart's api.replicaCount.
const apiReplicas = 2;
// This process's own connections, which are not the API's.
const applicationName = "bench-api-images";
const loadScript = join(import.meta.dirname, "api-images-load.ts");

// ---------------------------------------------------------------------------------------------------
// The load process (bench/api-images-load.ts).

function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadScript, JSON.stringify(plan)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(output) as LoadResult) : reject(new Error(`load exited ${code}`)),
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// CPU accounting: the API processes and the PostgreSQL backends of their pools.

/** CPU seconds used so far by each of the given processes (those /proc can read). */
function processCpuSeconds(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      used.set(pid, cpuSecondsOf(pid));
    } catch {
      // Not on this machine, or gone: not counted.
    }
  }
  return used;
}

async function backendPids(admin: pg.Client, databaseName: string): Promise<number[]> {
  const result = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name <> $2",
    [databaseName, applicationName],
  );
  return result.rows.map((row) => row.pid);
}

/** CPU seconds the processes in `after` used since `before`. */
function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, used] of after) seconds += used - (before.get(pid) ?? 0);
  return seconds;
}

async function measured(
  admin: pg.Client,
  databaseName: string,
  apis: ApiProcess[],
  plan: LoadPlan,
): Promise<LoadResult & { apiCpuS: number; databaseCpuS: number | undefined }> {
  const apiCpuSeconds = () => apis.reduce((sum, api) => sum + api.process.cpuSeconds(), 0);
  const before = processCpuSeconds(await backendPids(admin, databaseName));
  const apiBefore = apiCpuSeconds();
  const result = await runLoad(plan);
  const apiCpuS = apiCpuSeconds() - apiBefore;
  const after = processCpuSeconds(await backendPids(admin, databaseName));
  return {
    ...result,
    apiCpuS,
    databaseCpuS: after.size === 0 ? undefined : cpuSecondsBetween(before, after),
  };
}

// ---------------------------------------------------------------------------------------------------
// The benchmark: seed, serve, run the plans, print.

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** 1,000,000 rows in one INSERT … SELECT generate_series; ids grow with created_at, as workers write them. */
async function seed(url: string, rows: number): Promise<number> {
  // A connection of its own: the API's pool has a statement timeout that a 1M-row insert exceeds.
  const seeder = new pg.Client({ connectionString: url });
  await seeder.connect();
  const start = performance.now();
  await seeder.query(`
    INSERT INTO imports (uid, namespace, name, source, folder_id, bucket, prefix, state, created_at)
    SELECT 'bench-import-' || n, 'bench-' || (n % 3), 'import-' || n, 'google-drive', 'folder' || n,
           'imagesync', 'bench/import-' || n || '/', 'succeeded', now() - interval '30 days'
    FROM generate_series(0, 9) AS n`);
  await seeder.query(
    `INSERT INTO images (source, source_id, import_uid, name, folder_path, mime_type, size, md5, sha256,
                         width, height, bucket, object_key, created_at, updated_at)
     SELECT 'google-drive', 'drive-file-' || g, 'bench-import-' || (g % 10), 'IMG_' || g || '.jpg',
            'photos/' || (g % 100), CASE WHEN g % 4 = 0 THEN 'image/png' ELSE 'image/jpeg' END,
            100000 + g % 5000000, md5(g::text), encode(sha256(g::text::bytea), 'hex'), 4032, 3024, 'imagesync',
            'bench/import-' || (g % 10) || '/photos/' || (g % 100) || '/drive-file-' || g || '-IMG_' || g || '.jpg',
            now() - ($1::int - g) * interval '1 second', now() - ($1::int - g) * interval '1 second'
     FROM generate_series(1, $1::int) AS g`,
    [rows],
  );
  await seeder.query("VACUUM ANALYZE images");
  await seeder.end();
  return (performance.now() - start) / 1000;
}

/** One compiled API process on a loopback port. */
interface ApiProcess {
  baseUrl: string;
  process: MeasuredProcess;
}

/**
 * `count` API processes over the seeded database. Kubernetes is never called (the static-token caller is an
 * admin), so their kubeconfig names a port nothing listens on; their S3 client only signs URLs.
 */
async function startApis(count: number, databaseUrl: string, token: string): Promise<ApiProcess[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-api-images-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      "current-context": "bench",
      clusters: [{ name: "bench", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "bench", user: { token: "unused" } }],
      contexts: [{ name: "bench", context: { cluster: "bench", user: "bench" } }],
    }),
  );
  const apis: ApiProcess[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const api = startMeasuredProcess(process.execPath, [compiledEntry("api")], {
      DATABASE_URL: databaseUrl,
      API_HOST: "127.0.0.1",
      API_PORT: String(port),
      API_STATIC_TOKEN: token,
      API_RATE_LIMIT_PER_MINUTE: "0",
      LOG_LEVEL: chartLogLevel(),
      KUBECONFIG: kubeconfig,
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench-secret",
    });
    apis.push({ baseUrl: `http://127.0.0.1:${port}`, process: api });
  }
  for (const api of apis) await waitForHttpOk(`${api.baseUrl}/livez`, api.process);
  rmSync(dir, { recursive: true, force: true });
  return apis;
}

async function stopApis(apis: ApiProcess[]): Promise<void> {
  for (const api of apis) api.process.child.kill("SIGTERM");
  await Promise.all(apis.map((api) => api.process.exited));
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl === undefined || serverUrl === "") {
    throw new Error(
      "DATABASE_URL is required: a PostgreSQL server URL (make up, then source .local/env; or make bench)",
    );
  }
  const rows = intFromEnv("BENCH_ROWS", 1_000_000);
  const seconds = intFromEnv("BENCH_SECONDS", 10);
  const rate = intFromEnv("BENCH_RATE", 1_000);
  const concurrency = intFromEnv("BENCH_CONCURRENCY", 8);
  const keep = process.env.BENCH_DATABASE;
  const databaseName =
    keep !== undefined && keep !== "" ? keep : `bench_api_images_${randomBytes(3).toString("hex")}`;
  const token = randomBytes(24).toString("hex");

  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  const exists =
    (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName])).rowCount === 1;
  if (!exists) await admin.query(`CREATE DATABASE ${databaseName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  const db = connectDatabase({ url: url.toString(), maxConnections: 10, applicationName });
  let apis: ApiProcess[] = [];

  try {
    await migrateToLatest(db);
    const seeded = await db
      .selectFrom("images")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const seedSeconds =
      Number(seeded.n) === rows ? undefined : await seed(url.toString(), rows - Number(seeded.n));
    apis = await startApis(apiReplicas, url.toString(), token);

    // One checked request per paging mode and process before timing anything.
    for (const { baseUrl } of apis) {
      for (const path of [
        `/api/images?limit=${pageSize}&offset=${rows - pageSize * 2}`,
        `/api/images?limit=${pageSize}`,
      ]) {
        const answer = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await answer.json()) as { data: unknown[] };
        if (answer.status !== 200 || body.data.length !== pageSize)
          throw new Error(`${baseUrl}${path} answered ${answer.status}`);
      }
    }
    const pgVersion = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]
      ?.server_version;
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, PostgreSQL ${pgVersion}`,
    );
    console.log(
      `data: ${rows.toLocaleString("en")} image rows${seedSeconds === undefined ? " (reused)" : `, seeded in ${seedSeconds.toFixed(0)} s`}; ${apiReplicas} API processes (dist/api/main.js, pg pool 10 each, LOG_LEVEL=${chartLogLevel()} as the chart sets it: one access-log line per request), load from a child process over loopback keep-alive HTTP/1.1 (answers framed by Content-Length, bodies counted, not parsed)`,
    );
    console.log(
      `each run: ${seconds} s, pages of ${pageSize} with a presigned storage_path per image; closed loop = ${concurrency} in flight; requests spread over the ${apiReplicas} API processes but in runs marked "1 API"`,
    );
    console.log(`load average before the runs (the machine is shared): ${load()}\n`);

    const baseUrls = apis.map(({ baseUrl }) => baseUrl);
    const base = { baseUrls, token, rows, pageSize, seconds, includeTotal: false } as const;
    const oneApi = { ...base, baseUrls: baseUrls.slice(0, 1) };
    const closed = { kind: "closed", concurrency } as const;
    const open = { kind: "open", rate } as const;
    const runs: { label: string; plan: LoadPlan }[] = [
      { label: "warm-up", plan: { ...base, paging: "keyset", loop: closed, seconds: 3 } },
      { label: "keyset, random depth, closed loop", plan: { ...base, paging: "keyset", loop: closed } },
      { label: `keyset, random depth, open ${rate}/s`, plan: { ...base, paging: "keyset", loop: open } },
      { label: "keyset, closed loop, 1 API", plan: { ...oneApi, paging: "keyset", loop: closed } },
      // One request at a time: no queue anywhere, so its p99 is the machine's own latency floor.
      {
        label: "keyset, 1 in flight, 1 API",
        plan: { ...oneApi, paging: "keyset", loop: { kind: "closed", concurrency: 1 } },
      },
      { label: `keyset, open ${rate}/s, 1 API`, plan: { ...oneApi, paging: "keyset", loop: open } },
      { label: "offset, random depth, closed loop", plan: { ...base, paging: "offset", loop: closed } },
      ...[1_000, 100_000, 500_000]
        .filter((depth) => depth < rows - pageSize)
        .concat(rows - pageSize)
        .map((depth) => ({
          label: `offset ${depth.toLocaleString("en")}, closed loop`,
          plan: { ...base, paging: "offset" as const, depth, loop: closed },
        })),
      {
        label: "offset 100,000 + total (older default)",
        plan: { ...base, paging: "offset", depth: 100_000, includeTotal: true, loop: closed },
      },
    ];

    console.log(
      `${"run".padEnd(40)} requests   req/s  p50 ms  p99 ms  errors  CPU ms/request: API  PostgreSQL  load`,
    );
    for (const { label, plan } of runs) {
      const result = await measured(admin, databaseName, apis, plan);
      if (label === "warm-up") continue;
      const n = result.latenciesMs.length;
      const sorted = result.latenciesMs.sort((a, b) => a - b);
      const cell = (value: number, width: number, digits = 1) => value.toFixed(digits).padStart(width);
      console.log(
        `${label.padEnd(40)} ${String(n).padStart(8)} ${cell(n / result.elapsedS, 7, 0)} ${cell(percentile(sorted, 0.5), 7)} ${cell(percentile(sorted, 0.99), 7)} ${String(result.errors).padStart(7)} ${cell((result.apiCpuS * 1000) / n, 20, 2)} ${result.databaseCpuS === undefined ? "        n/a" : cell((result.databaseCpuS * 1000) / n, 11, 2)} ${cell((result.cpuS * 1000) / n, 5, 2)}`,
      );
    }
    console.log(`\nload average after the runs: ${load()}`);
  } finally {
    await stopApis(apis);
    await db.destroy();
    if (keep === undefined || keep === "") await admin.query(`DROP DATABASE IF EXISTS ${databaseName}`);
    await admin.end();
  }
}

await main();
