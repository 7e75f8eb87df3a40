export { connectDatabase, type DatabaseOptions } from "./connect.ts";
export { migrateToLatest } from "./migrate.ts";
export { NamedStatement } from "./named-statement.ts";
export { prepareQuery, type PreparedQuery } from "./prepared-query.ts";
export { StatementBatcher } from "./statement-batcher.ts";
export * from "./schema.ts";
