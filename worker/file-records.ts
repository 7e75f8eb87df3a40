import { sql, type Kysely, type QueryCreator, type UpdateQueryBuilder, type UpdateResult } from "kysely";
import {
  prepareQuery,
  terminalFileStates,
  type Database,
  type NewImage,
  type PreparedQuery,
} from "../lib/db/index.ts";
import { FileReason } from "../lib/imageimport/reasons.ts";
import type { FileTask } from "../lib/queue/index.ts";

/** How a file's import ended, as its row records it. */
export type FileOutcome =
  | { state: "succeeded"; image: NewImage }
  | { state: "skipped"; reason: FileReason }
  | { state: "failed"; reason: FileReason; message: string };

/** A claimed file: which attempt this is, and the md5 the catalogue has for its object (null: no row). */
export interface Claim {
  attempt: number;
  cataloguedMd5: string | null;
}

type FileRowUpdate = UpdateQueryBuilder<Database, "import_files", "import_files", UpdateResult>;

/** What identifies the row a task drives. */
type TaskIdentity = Pick<FileTask, "importUid" | "fileId" | "revision" | "generation">;

/**
 * Narrows an update to the row `task` may change (docs/design.md): same file, same revision, and not
 * superseded by a later publish. A stale or duplicate task so changes nothing, and its caller just acks it.
 */
function rowOf(update: FileRowUpdate, task: TaskIdentity): FileRowUpdate {
  return update
    .where("import_uid", "=", task.importUid)
    .where("file_id", "=", task.fileId)
    .where("revision", "=", task.revision)
    .where("publish_generation", "<=", task.generation);
}

/**
 * The `images` columns a worker writes and their SQL types: values in an INSERT's SELECT list need explicit
 * types. `satisfies` keeps the list in step with the schema.
 */
const imageColumnTypes = {
  source: "text",
  source_id: "text",
  import_uid: "text",
  name: "text",
  folder_path: "text",
  mime_type: "text",
  size: "int8",
  md5: "text",
  sha256: "text",
  width: "integer",
  height: "integer",
  taken_at: "timestamptz",
  camera_make: "text",
  camera_model: "text",
  latitude: "float8",
  longitude: "float8",
  bucket: "text",
  object_key: "text",
} as const satisfies Record<Exclude<keyof NewImage, "id" | "created_at" | "updated_at">, string>;

type ImageColumn = keyof typeof imageColumnTypes;
const imageColumns = Object.keys(imageColumnTypes) as ImageColumn[];
/** What makes an image row unique: the object it describes. */
const imageIdentity = ["source", "source_id", "bucket", "object_key"] as const;

async function changed(update: FileRowUpdate): Promise<boolean> {
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

const taskSlots = ["importUid", "fileId", "revision", "generation", "now"] as const;
const claimSlots = [...taskSlots, "source", "bucket", "objectKey"] as const;
const storedSlots = [...taskSlots, ...imageColumns] as const;
type ClaimSlot = (typeof claimSlots)[number];
type StoredSlot = (typeof storedSlots)[number];

function taskValues(task: FileTask): Record<(typeof taskSlots)[number], unknown> {
  return {
    importUid: task.importUid,
    fileId: task.fileId,
    revision: task.revision,
    generation: task.generation,
    now: new Date(),
  };
}

/** Claims the row `task` drives, returning its attempts and, in the same round trip, the catalogue's md5. */
function claimQuery(
  db: Kysely<Database>,
  slot: TaskIdentity & { now: Date; source: string; bucket: string; objectKey: string },
) {
  const update = db
    .updateTable("import_files")
    .set((eb) => ({ state: "in_progress", attempts: eb("attempts", "+", 1), updated_at: slot.now }));
  return rowOf(update, slot)
    .where("state", "not in", terminalFileStates)
    .returning((eb) => [
      "attempts",
      eb
        .selectFrom("images")
        .select("md5")
        .where("source", "=", slot.source)
        .where("source_id", "=", slot.fileId)
        .where("bucket", "=", slot.bucket)
        .where("object_key", "=", slot.objectKey)
        .as("catalogued_md5"),
    ]);
}

/** How a file's row ends: a FileOutcome without the image a stored file carries. */
type FileEnding = Exclude<FileOutcome, { state: "succeeded" }> | { state: "succeeded" };

/** Ends the claimed row of `task` in `outcome`'s state (guarded: only an `in_progress` row changes). */
function endRow(
  db: QueryCreator<Database>,
  task: TaskIdentity,
  outcome: FileEnding,
  now: Date,
): FileRowUpdate {
  return rowOf(
    db.updateTable("import_files").set({
      state: outcome.state,
      error_reason: outcome.state === "succeeded" ? null : outcome.reason,
      error_message: outcome.state === "failed" ? outcome.message : null,
      finished_at: now,
      updated_at: now,
    }),
    task,
  ).where("state", "=", "in_progress");
}

/**
 * Ends a stored file's row and upserts its image in one statement, so one round trip: the image row is
 * written only if the state change happened. The row lock the UPDATE takes orders two deliveries finishing
 * at once; the second finds the row terminal.
 */
function finishStoredQuery(
  db: Kysely<Database>,
  task: TaskIdentity,
  image: Record<ImageColumn, unknown>,
  now: Date,
) {
  return db
    .with("ended", (qc) => endRow(qc, task, { state: "succeeded" }, now).returning("file_id"))
    .insertInto("images")
    .columns(imageColumns)
    .expression((eb) =>
      eb
        .selectFrom("ended")
        .select(
          imageColumns.map((column) =>
            sql`${image[column]}::${sql.raw(imageColumnTypes[column])}`.as(column),
          ),
        ),
    )
    .onConflict((oc) =>
      oc.columns(imageIdentity).doUpdateSet((eb) => ({
        import_uid: eb.ref("excluded.import_uid"),
        name: eb.ref("excluded.name"),
        folder_path: eb.ref("excluded.folder_path"),
        mime_type: eb.ref("excluded.mime_type"),
        size: eb.ref("excluded.size"),
        md5: eb.ref("excluded.md5"),
        sha256: eb.ref("excluded.sha256"),
        width: eb.ref("excluded.width"),
        height: eb.ref("excluded.height"),
        taken_at: eb.ref("excluded.taken_at"),
        camera_make: eb.ref("excluded.camera_make"),
        camera_model: eb.ref("excluded.camera_model"),
        latitude: eb.ref("excluded.latitude"),
        longitude: eb.ref("excluded.longitude"),
        updated_at: now,
      })),
    )
    .returning("id");
}

/**
 * The worker's side of a file's state machine in PostgreSQL; every transition is guarded by the task driving it.
 * The two statements every file runs (claim, and finish as stored) are built and compiled once (prepareQuery).
 */
export class FileRecords {
  readonly #db: Kysely<Database>;
  readonly #claim: PreparedQuery<ClaimSlot, { attempts: number; catalogued_md5: string | null }>;
  readonly #finishStored: PreparedQuery<StoredSlot, unknown>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#claim = prepareQuery(db, claimSlots, (slot) => claimQuery(db, slot));
    this.#finishStored = prepareQuery(db, storedSlots, (slot) => finishStoredQuery(db, slot, slot, slot.now));
  }

  /**
   * Takes the file for this attempt: `in_progress`, one more attempt. Returns undefined when the task is stale
   * (row gone or terminal, another revision, or superseded by a newer publish).
   */
  async claim(task: FileTask, source: string): Promise<Claim | undefined> {
    const { rows } = await this.#claim.execute({
      ...taskValues(task),
      source,
      bucket: task.bucket,
      objectKey: task.objectKey,
    });
    const row = rows[0];
    return row === undefined ? undefined : { attempt: row.attempts, cataloguedMd5: row.catalogued_md5 };
  }

  /**
   * Ends the file, atomically: the terminal state and, for a stored file, its `images` row (upserted on the
   * object's identity, so a redelivered task rewrites the same row). Returns false when the claim no longer
   * holds (another delivery finished the file first): then nothing is written.
   */
  async finish(task: FileTask, outcome: FileOutcome): Promise<boolean> {
    if (outcome.state !== "succeeded") return changed(endRow(this.#db, task, outcome, new Date()));
    const { image } = outcome;
    const values = Object.fromEntries(imageColumns.map((column) => [column, image[column]])) as Record<
      ImageColumn,
      unknown
    >;
    const { rows } = await this.#finishStored.execute({ ...taskValues(task), ...values });
    return rows.length > 0;
  }

  /** Hands the file back to the queue after a transient failure, keeping the error. False when the claim no longer holds. */
  async requeue(task: FileTask, reason: FileReason, message: string): Promise<boolean> {
    const update = this.#db.updateTable("import_files").set({
      state: "queued",
      error_reason: reason,
      error_message: message,
      updated_at: new Date(),
    });
    return changed(rowOf(update, task).where("state", "=", "in_progress"));
  }

  /** Hands the file back untried (this process is stopping): the attempt it claimed is given back too. */
  async release(task: FileTask): Promise<boolean> {
    const update = this.#db
      .updateTable("import_files")
      .set((eb) => ({ state: "queued", attempts: eb("attempts", "-", 1), updated_at: new Date() }));
    return changed(rowOf(update, task).where("state", "=", "in_progress"));
  }

  /**
   * Fails a file whose task JetStream stopped delivering (workers kept dying on it), whatever non-terminal
   * state its row is in. False when the task no longer matches the row.
   */
  async failUndeliverable(task: FileTask, message: string): Promise<boolean> {
    const update = this.#db.updateTable("import_files").set({
      state: "failed",
      error_reason: FileReason.DeliveryLimitReached,
      error_message: message,
      finished_at: new Date(),
      updated_at: new Date(),
    });
    return changed(rowOf(update, task).where("state", "not in", terminalFileStates));
  }
}
