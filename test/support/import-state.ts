import type { JetStreamManager } from "@nats-io/jetstream";
import type { Kysely } from "kysely";
import type { Database, FileState } from "../../lib/db/index.ts";
import { importSubject, type QueueTopology } from "../../lib/queue/index.ts";

/** How many of an import's files are in each state, from Postgres (states with no file are absent). */
export async function fileStates(
  db: Kysely<Database>,
  uid: string,
): Promise<Partial<Record<FileState, number>>> {
  const rows = await db
    .selectFrom("import_files")
    .select(["state", (eb) => eb.fn.countAll<string>().as("files")])
    .where("import_uid", "=", uid)
    .groupBy("state")
    .execute();
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.files)]));
}

/** Tasks of an import waiting in the stream. */
export async function tasksInStream(
  jsm: JetStreamManager,
  topology: QueueTopology,
  uid: string,
): Promise<number> {
  const subject = importSubject(topology, uid);
  const info = await jsm.streams.info(topology.stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}
