export { connectDatabase, type DatabaseOptions } from "./connect.ts";
export { migrateToLatest } from "./migrate.ts";
export * from "./schema.ts";
