import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, migrateToLatest, type Database, type NewImage } from "../../lib/db/index.ts";
import { googleDriveSource } from "../../lib/imageimport/api.ts";
import type { FileTask } from "../../lib/queue/index.ts";
import { FileRecords } from "../../worker/file-records.ts";
import { imageRow } from "../../worker/image-row.ts";
import type { Kysely } from "kysely";
import { fileStates } from "../support/import-state.ts";
import { createDatabase } from "../support/stack.ts";

const bucket = "images";

function taskFor(importUid: string, fileId: string, overrides: Partial<FileTask> = {}): FileTask {
  return {
    importUid,
    fileId,
    revision: 1,
    generation: 1,
    bucket,
    objectKey: `shared/${fileId}.jpg`,
    name: `${fileId}.jpg`,
    folderPath: "",
    mimeType: "image/jpeg",
    size: 3,
    md5: "acbd18db4cc2f85cedef654fccc4a4d8",
    resourceKey: null,
    maxAttempts: 3,
    image: null,
    ...overrides,
  } as FileTask;
}

// What the importer records for a 3-byte file ("foo") whose header gave 1 × 1 pixels and nothing else.
function imageOf(task: FileTask): NewImage {
  return imageRow(
    task,
    {
      size: 3,
      md5: "acbd18db4cc2f85cedef654fccc4a4d8",
      sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    },
    {
      width: 1,
      height: 1,
      takenAt: null,
      cameraMake: null,
      cameraModel: null,
      latitude: null,
      longitude: null,
    },
  );
}

async function addImportWithFiles(
  db: Kysely<Database>,
  uid: string,
  fileIds: readonly string[],
): Promise<void> {
  await db
    .insertInto("imports")
    .values({
      uid,
      namespace: "default",
      name: uid,
      source: googleDriveSource,
      folder_id: "f",
      bucket,
      prefix: "shared/",
      state: "running",
    })
    .execute();
  await db
    .insertInto("import_files")
    .values(
      fileIds.map((fileId) => ({
        import_uid: uid,
        file_id: fileId,
        name: `${fileId}.jpg`,
        folder_path: "",
        mime_type: "image/jpeg",
        object_key: `shared/${fileId}.jpg`,
        state: "queued",
        publish_generation: 1,
      })),
    )
    .execute();
}

describe("file records for many files at once (one statement per batch)", () => {
  let db: Kysely<Database>;
  let records: FileRecords;

  beforeAll(async () => {
    db = connectDatabase({ url: await createDatabase("file_records") });
    await migrateToLatest(db);
    records = new FileRecords(db);
  });

  afterAll(async () => {
    await db.destroy();
  });

  it("answers each claim for itself: claimed, stale, or claimed again by a duplicate", async () => {
    const fileIds = Array.from({ length: 40 }, (_, index) => `claim-${index}`);
    await addImportWithFiles(db, "claims", fileIds);

    const claims = await Promise.all([
      ...fileIds.map((fileId) => records.claim(taskFor("claims", fileId), googleDriveSource)),
      // A task for a revision the row no longer has, and a second delivery of the first file.
      records.claim(taskFor("claims", "claim-1", { revision: 2 }), googleDriveSource),
      records.claim(taskFor("claims", "claim-0"), googleDriveSource),
    ]);

    expect(claims.slice(0, 40)).toEqual(fileIds.map(() => ({ attempt: 1, cataloguedMd5: null })));
    expect(claims[40]).toBeUndefined();
    expect(claims[41]).toEqual({ attempt: 2, cataloguedMd5: null });
  });

  it("ends each stored file once, and two imports storing the same object end with one image row", async () => {
    const fileIds = Array.from({ length: 30 }, (_, index) => `stored-${index}`);
    await addImportWithFiles(db, "first", fileIds);
    await addImportWithFiles(db, "second", fileIds);
    const tasks = ["first", "second"].flatMap((uid) => fileIds.map((fileId) => taskFor(uid, fileId)));
    await Promise.all(tasks.map((task) => records.claim(task, googleDriveSource)));

    const ended = await Promise.all([
      ...tasks.map((task) => records.finish(task, { state: "succeeded", image: imageOf(task) })),
      // A duplicate finishing the same claim finds the row already ended.
      records.finish(tasks[0] as FileTask, { state: "succeeded", image: imageOf(tasks[0] as FileTask) }),
    ]);

    expect(ended).toEqual([...tasks.map(() => true), false]);
    expect(await fileStates(db, "first")).toEqual({ succeeded: 30 });
    expect(await fileStates(db, "second")).toEqual({ succeeded: 30 });
    const images = await db
      .selectFrom("images")
      .select(["source_id", "import_uid"])
      .where("object_key", "like", "shared/stored-%")
      .orderBy("source_id")
      .execute();
    expect(images.map((image) => image.source_id)).toEqual([...fileIds].sort());
  });
});
