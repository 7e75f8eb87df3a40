import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Kysely } from "kysely";
import type { Database } from "../../lib/db/index.ts";
import { ApiErrors } from "../errors.ts";
import { imageId } from "./image-queries.ts";

/**
 * Deletes an image's object, then its row, inside one transaction that holds the row locked: if the
 * object cannot be deleted the transaction rolls back and both stay; a worker re-storing the same file
 * waits on the lock instead of racing. DeleteObject is idempotent, so if the row's deletion fails after
 * the object went, repeating the request finishes the job. Returns false when there is no such image.
 */
export async function deleteImage(db: Kysely<Database>, s3: S3Client, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("images")
      .select(["bucket", "object_key"])
      .where(imageId, "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) return false;
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: row.bucket, Key: row.object_key }));
    } catch (error) {
      throw ApiErrors.storageUnavailable(error);
    }
    await tx.deleteFrom("images").where(imageId, "=", id).execute();
    return true;
  });
}
