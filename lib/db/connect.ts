import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { enableNamedStatements } from "./named-statement.ts";
import type { Database } from "./schema.ts";

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool; size it to the process's concurrency. */
  maxConnections?: number;
  /** Abort a statement that runs longer than this. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

/** A pooled kysely handle. Call `destroy()` on shutdown. */
export function connectDatabase(options: DatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? "imagesync",
  });
  // A server restart must not crash the process. pg-pool listens for errors only on idle clients; a client
  // checked out between two queries (inside a transaction, say) emits 'error' with nobody listening, which
  // Node turns into an uncaught exception. The query in progress still rejects, and the pool drops the client.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  enableNamedStatements(db, pool);
  return db;
}
