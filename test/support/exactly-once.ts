import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { sql } from "kysely";
import { expect } from "vitest";
import { ConditionType } from "../../lib/imageimport/index.ts";
import { eventually } from "./eventually.ts";
import type { TestSystem } from "./system.ts";

async function countObjects(s3: S3Client, bucket: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return count;
}

/**
 * Waits for the import to finish, then checks the promise of the product: zero files lost, zero
 * duplicated — one image row, one object and one succeeded record per Drive file — and exact counters.
 */
export async function expectExactlyOnce(system: TestSystem, name: string, files: number): Promise<void> {
  const done = await eventually(
    `${name} to finish`,
    () => system.readImport(name),
    (i) =>
      i.status?.conditions?.some((c) => c.type === ConditionType.Succeeded && c.status !== "Unknown") ??
      false,
    { timeoutMs: 240_000, intervalMs: 500 },
  );
  expect(done.status?.conditions?.find((c) => c.type === ConditionType.Succeeded)?.status).toBe("True");
  expect(done.status?.progress).toMatchObject({ total: files, succeeded: files, failed: 0, queued: 0 });
  const rows = await sql<{ rows: string; distinct_files: string }>`
    SELECT count(*) AS rows, count(DISTINCT source_id) AS distinct_files FROM images`.execute(system.db);
  expect(rows.rows[0]).toEqual({ rows: String(files), distinct_files: String(files) });
  expect(await countObjects(system.s3, system.bucket)).toBe(files);
}
