import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type UpdateQueryBuilder,
  type UpdateResult,
} from "kysely";
import {
  prepareQuery,
  terminalFileStates,
  type Database,
  type NewImage,
  type PreparedQuery,
  StatementBatcher,
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

/** What identifies the row a task drives. */
type TaskIdentity = Pick<FileTask, "importUid" | "fileId" | "revision" | "generation">;

/** A task's identity as values, or as the columns of a batch that carries many. */
type RowIdentity = { [Field in keyof TaskIdentity]: TaskIdentity[Field] | Expression<TaskIdentity[Field]> };

/** The identity columns of a batch CTE (see `batchRows`). */
const batchIdentity: RowIdentity = {
  importUid: sql.ref("batch.import_uid"),
  fileId: sql.ref("batch.file_id"),
  revision: sql.ref("batch.revision"),
  generation: sql.ref("batch.generation"),
};

/**
 * The row `identity` may change (docs/design.md): same file, same revision, and not superseded by a later
 * publish. A stale or duplicate task so changes nothing, and its caller just acks it.
 */
function isRowOf(identity: RowIdentity) {
  return (eb: ExpressionBuilder<Database, "import_files">) =>
    eb.and([
      eb("import_files.import_uid", "=", identity.importUid),
      eb("import_files.file_id", "=", identity.fileId),
      eb("import_files.revision", "=", identity.revision),
      eb("import_files.publish_generation", "<=", identity.generation),
    ]);
}

/**
 * The `images` columns a worker writes and their SQL types: a batch's JSON is unpacked into typed columns.
 * `satisfies` keeps the list in step with the schema.
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
/** What a later import of the same object rewrites: everything else. */
const updatedImageColumns = imageColumns.filter(
  (column) => !(imageIdentity as readonly ImageColumn[]).includes(column),
);

/** The columns every batch row carries: its place in the batch and the identity of the task it is for. */
const batchIdentityColumns = "i int4, import_uid text, file_id text, revision int4, generation int4";

/**
 * A batch's rows, unpacked by PostgreSQL from one JSON parameter (`columns`: the column definitions beside
 * the identity's): a batch of any size is one statement, compiled once.
 */
function batchRows<Row>(json: unknown, columns: string) {
  return sql<Row>`(SELECT * FROM json_to_recordset(${json}::json) AS batch(${sql.raw(`${batchIdentityColumns}, ${columns}`)}))`;
}

/** A batch row's identity fields, as the JSON `batchRows` unpacks names them. */
function identityFields(task: TaskIdentity, index: number) {
  return {
    i: index,
    import_uid: task.importUid,
    file_id: task.fileId,
    revision: task.revision,
    generation: task.generation,
  };
}

async function changed(
  update: UpdateQueryBuilder<Database, "import_files", "import_files", UpdateResult>,
): Promise<boolean> {
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Claims the rows of a batch of tasks, returning each one's attempts and, in the same statement, the catalogue's md5. */
function claimQuery(db: Kysely<Database>, slot: { batch: unknown; now: Date }) {
  return db
    .with("batch", () =>
      batchRows<{
        i: number;
        import_uid: string;
        file_id: string;
        revision: number;
        generation: number;
        source: string;
        bucket: string;
        object_key: string;
      }>(slot.batch, "source text, bucket text, object_key text"),
    )
    .updateTable("import_files")
    .from("batch")
    .set((eb) => ({
      state: "in_progress",
      attempts: eb("import_files.attempts", "+", 1),
      updated_at: slot.now,
    }))
    .where(isRowOf(batchIdentity))
    .where("import_files.state", "not in", terminalFileStates)
    .returning((eb) => [
      "batch.i",
      "import_files.attempts",
      eb
        .selectFrom("images")
        .select("images.md5")
        .where("images.source", "=", eb.ref("batch.source"))
        .where("images.source_id", "=", eb.ref("batch.file_id"))
        .where("images.bucket", "=", eb.ref("batch.bucket"))
        .where("images.object_key", "=", eb.ref("batch.object_key"))
        .as("catalogued_md5"),
    ]);
}

/** How a file's row ends: a FileOutcome without the image a stored file carries. */
type FileEnding = Exclude<FileOutcome, { state: "succeeded" }> | { state: "succeeded" };

/** What a row that ends as `outcome` is set to. */
function ending(outcome: FileEnding, now: Date) {
  return {
    state: outcome.state,
    error_reason: outcome.state === "succeeded" ? null : outcome.reason,
    error_message: outcome.state === "failed" ? outcome.message : null,
    finished_at: now,
    updated_at: now,
  };
}

/** The row of `identity`, while a delivery holds it (`in_progress`): only the holder moves it on. */
function isClaimedRowOf(identity: RowIdentity) {
  return (eb: ExpressionBuilder<Database, "import_files">) =>
    eb.and([isRowOf(identity)(eb), eb("import_files.state", "=", "in_progress")]);
}

/**
 * Ends a batch of stored files' rows and upserts their images in one statement: an image row is written only
 * if its file's state change happened. The row lock the UPDATE takes orders two deliveries finishing at once;
 * the second finds the row terminal. Returns the batch places of the rows that ended.
 */
function finishStoredQuery(db: Kysely<Database>, slot: { batch: unknown; now: Date }) {
  // import_uid comes with the batch's identity columns.
  const imageColumnDefinitions = imageColumns
    .filter((column) => column !== "import_uid")
    .map((column) => `${column} ${imageColumnTypes[column]}`)
    .join(", ");
  return db
    .with("batch", () =>
      batchRows<
        Record<ImageColumn, unknown> & { i: number; file_id: string; revision: number; generation: number }
      >(slot.batch, imageColumnDefinitions),
    )
    .with("ended", (qc) =>
      qc
        .updateTable("import_files")
        .from("batch")
        .set(ending({ state: "succeeded" }, slot.now))
        .where(isClaimedRowOf(batchIdentity))
        .returning("batch.i"),
    )
    .with("stored", (qc) =>
      qc
        .insertInto("images")
        .columns(imageColumns)
        .expression((eb) =>
          eb
            .selectFrom("batch")
            .innerJoin("ended", "ended.i", "batch.i")
            .select(imageColumns.map((column) => `batch.${column}` as const)),
        )
        .onConflict((oc) =>
          oc.columns(imageIdentity).doUpdateSet((eb) => ({
            ...Object.fromEntries(
              updatedImageColumns.map((column) => [column, eb.ref(`excluded.${column}`)]),
            ),
            updated_at: slot.now,
          })),
        )
        .returning("images.id"),
    )
    .selectFrom("ended")
    .select("ended.i");
}

// The most files one claim or finish statement carries.
const maxBatch = 256;

interface ClaimRequest {
  task: FileTask;
  source: string;
}

interface StoredFile {
  task: FileTask;
  image: NewImage;
}

/**
 * The worker's side of a file's state machine in PostgreSQL; every transition is guarded by the task driving it.
 * The two statements every file runs (claim, and finish as stored) are built and compiled once (prepareQuery)
 * and carry, each time, every file that reached that step while the previous one ran (StatementBatcher).
 */
export class FileRecords {
  readonly #db: Kysely<Database>;
  readonly #claims: StatementBatcher<ClaimRequest, Claim | undefined>;
  readonly #stored: StatementBatcher<StoredFile, boolean>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    const claim: PreparedQuery<
      "batch" | "now",
      { i: number; attempts: number; catalogued_md5: string | null }
    > = prepareQuery(db, ["batch", "now"], (slot) => claimQuery(db, slot));
    const finishStored: PreparedQuery<"batch" | "now", { i: number }> = prepareQuery(
      db,
      ["batch", "now"],
      (slot) => finishStoredQuery(db, slot),
    );
    this.#claims = new StatementBatcher({
      maxBatch,
      conflictKey: ({ task }) => rowKey(task),
      run: async (requests) => {
        const batch = requests.map(({ task, source }, index) => ({
          ...identityFields(task, index),
          source,
          bucket: task.bucket,
          object_key: task.objectKey,
        }));
        const { rows } = await claim.execute({ batch: JSON.stringify(batch), now: new Date() });
        const claims: (Claim | undefined)[] = requests.map(() => undefined);
        for (const row of rows) claims[row.i] = { attempt: row.attempts, cataloguedMd5: row.catalogued_md5 };
        return claims;
      },
    });
    this.#stored = new StatementBatcher({
      maxBatch,
      // An upsert cannot touch one image twice: two imports writing the same object wait for each other.
      conflictKey: ({ image }) => JSON.stringify(imageIdentity.map((column) => image[column])),
      run: async (files) => {
        const batch = files.map(({ task, image }, index) => ({ ...image, ...identityFields(task, index) }));
        const { rows } = await finishStored.execute({ batch: JSON.stringify(batch), now: new Date() });
        const ended = files.map(() => false);
        for (const row of rows) ended[row.i] = true;
        return ended;
      },
    });
  }

  /**
   * Takes the file for this attempt: `in_progress`, one more attempt. Returns undefined when the task is stale
   * (row gone or terminal, another revision, or superseded by a newer publish).
   */
  claim(task: FileTask, source: string): Promise<Claim | undefined> {
    return this.#claims.submit({ task, source });
  }

  /**
   * Ends the file, atomically: the terminal state and, for a stored file, its `images` row (upserted on the
   * object's identity, so a redelivered task rewrites the same row). Returns false when the claim no longer
   * holds (another delivery finished the file first): then nothing is written.
   */
  finish(task: FileTask, outcome: FileOutcome): Promise<boolean> {
    if (outcome.state !== "succeeded") {
      return changed(
        this.#db.updateTable("import_files").set(ending(outcome, new Date())).where(isClaimedRowOf(task)),
      );
    }
    return this.#stored.submit({ task, image: outcome.image });
  }

  /** Hands the file back to the queue after a transient failure, keeping the error. False when the claim no longer holds. */
  async requeue(task: FileTask, reason: FileReason, message: string): Promise<boolean> {
    const update = this.#db
      .updateTable("import_files")
      .set({ state: "queued", error_reason: reason, error_message: message, updated_at: new Date() })
      .where(isClaimedRowOf(task));
    return changed(update);
  }

  /** Hands the file back untried (this process is stopping): the attempt it claimed is given back too. */
  async release(task: FileTask): Promise<boolean> {
    const update = this.#db
      .updateTable("import_files")
      .set((eb) => ({ state: "queued", attempts: eb("attempts", "-", 1), updated_at: new Date() }))
      .where(isClaimedRowOf(task));
    return changed(update);
  }

  /**
   * Fails a file whose task JetStream stopped delivering (workers kept dying on it), whatever non-terminal
   * state its row is in. False when the task no longer matches the row.
   */
  async failUndeliverable(task: FileTask, message: string): Promise<boolean> {
    const update = this.#db
      .updateTable("import_files")
      .set({
        state: "failed",
        error_reason: FileReason.DeliveryLimitReached,
        error_message: message,
        finished_at: new Date(),
        updated_at: new Date(),
      })
      .where(isRowOf(task))
      .where("state", "not in", terminalFileStates);
    return changed(update);
  }
}

/** One file row: two claims of it never share a statement. */
function rowKey(task: TaskIdentity): string {
  return `${task.importUid}/${task.fileId}`;
}
