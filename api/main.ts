import { KubeClient, processConnection } from "../lib/controller-runtime/index.ts";
import { connectDatabase, migrateToLatest } from "../lib/db/index.ts";
import { createLogger } from "../lib/log/index.ts";
import { createS3Client } from "../lib/storage/index.ts";
import { buildApp } from "./app.ts";
import { ConfigError, loadConfig, type ApiConfig } from "./config.ts";

// The API process: configuration from the environment (only here), then wiring, listening and a
// graceful stop on SIGTERM (in-flight requests finish, event streams end, connections close).
let config: ApiConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger("api").error(error.message);
  process.exit(2);
}
const log = createLogger("api", config.app.logLevel);

const kube = new KubeClient(processConnection(config));

const db = connectDatabase(config.database);
// Every process migrates on start; kysely's advisory lock makes concurrent runs safe.
const applied = await migrateToLatest(db);
if (applied.length > 0) log.info("database migrated", { migrations: applied });

const s3 = createS3Client(config.s3);
const app = await buildApp({
  settings: config.app,
  db,
  kube,
  s3,
  storage: {
    endpoint: config.s3.endpoint,
    region: config.s3.region,
    forcePathStyle: config.s3.forcePathStyle,
  },
});
await app.listen(config.listen);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info("stopping", { signal });
  await app.close();
  await db.destroy();
  s3.destroy();
  kube.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
