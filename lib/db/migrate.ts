import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import { initial } from "./migrations/0001-initial.ts";
import { operatorListingAndSync } from "./migrations/0002-operator-listing-and-sync.ts";

/** Every migration, in order. Listed in code so the container needs no directory scan. */
const migrations: Record<string, Migration> = {
  "0001-initial": initial,
  "0002-operator-listing-and-sync": operatorListingAndSync,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/**
 * Brings the schema to the latest version. Safe to run from several processes at once: kysely's
 * Migrator takes a PostgreSQL advisory lock around the run.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: migrations run before the typed one exists
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`database migration ${failed} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
