import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { startDaemon, waitUntilReady } from "./daemon.ts";
import { prepareDataDir, tool, type StackLayout } from "./layout.ts";

export const postgresDatabase = "imagesync";

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user Debian's package made. */
function serverIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** A throwaway cluster: trust auth on loopback TCP only, fsync off. Returns its DATABASE_URL. */
export async function startPostgres(layout: StackLayout): Promise<string> {
  const dataDir = join(layout.dataDir, "postgres");
  const identity = serverIdentity();
  prepareDataDir(layout);
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (identity.uid !== undefined) chownSync(dataDir, identity.uid, identity.gid ?? identity.uid);
    try {
      execFileSync(
        tool(layout, "initdb"),
        ["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", `--pgdata=${dataDir}`],
        { ...identity, stdio: ["ignore", "ignore", "pipe"] },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`postgres: initdb failed in ${dataDir}: ${stderr ?? String(error)}`, { cause: error });
    }
  }
  const port = layout.ports.postgres;
  startDaemon(layout, {
    name: "postgres",
    command: tool(layout, "postgres"),
    args: [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=300",
    ],
    ...identity,
    stopSignal: "SIGINT",
  });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilReady(layout, "postgres", async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [postgresDatabase]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${postgresDatabase}`);
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  });
  return `postgres://postgres@127.0.0.1:${port}/${postgresDatabase}`;
}
