import { sql } from "kysely";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { connectDatabase } from "../../lib/db/index.ts";
import { createDatabase } from "../support/stack.ts";

describe("a database connection", () => {
  it("that the server drops while checked out fails that transaction, not the process", async () => {
    const db = connectDatabase({ url: await createDatabase("dropped") });
    const killer = connectDatabase({ url: await createDatabase("killer") });
    try {
      const transaction = db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // What a server restart does to every connection, while this one sits between two statements.
        await sql`SELECT pg_terminate_backend(${rows[0]?.pid})`.execute(killer);
        await sleep(200);
        await sql`SELECT 1`.execute(trx);
      });
      await expect(transaction).rejects.toThrow();
      // The pool replaced the dropped connection.
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await db.destroy();
      await killer.destroy();
    }
  });
});
