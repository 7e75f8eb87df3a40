/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   Response bodies are untyped JSON: the assertions are what check their shape. */
import { randomUUID } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewImage } from "../../lib/db/index.ts";
import {
  call,
  callerWith,
  createNamespace,
  imageRow,
  insertImage,
  recordImport,
  startApi,
  staticToken,
  type RunningApi,
} from "./harness.ts";

interface Seeded {
  id: string;
  row: NewImage;
}

describe("the image catalogue routes", () => {
  let api: RunningApi;
  let teamA: string;
  let teamB: string;
  let viewerA: string;
  let editorA: string;
  let stranger: string;
  const importA1 = randomUUID();
  const importA2 = randomUUID();
  const importB = randomUUID();
  const images: Seeded[] = [];
  const bytes = Buffer.from("not really a jpeg, but bytes all the same");

  const ofTeamA = () => images.filter((image) => image.row.import_uid !== importB);
  const idsNewestFirst = (seeded: Seeded[]) =>
    seeded.map((image) => image.id).sort((a, b) => Number(b) - Number(a));

  beforeAll(async () => {
    api = await startApi();
    teamA = await createNamespace(api.admin, "team-a");
    teamB = await createNamespace(api.admin, "team-b");
    [viewerA, editorA, stranger] = await Promise.all([
      callerWith(api.admin, teamA, "viewer", ["get", "list"]),
      callerWith(api.admin, teamA, "editor", ["get", "list", "delete"]),
      callerWith(api.admin, teamA, "stranger", []),
    ]);
    await recordImport(api.db, {
      uid: importA1,
      namespace: teamA,
      name: "one",
      state: "succeeded",
      created_at: new Date("2025-01-01T00:00:00Z"),
    });
    await recordImport(api.db, {
      uid: importA2,
      namespace: teamA,
      name: "two",
      state: "running",
      created_at: new Date("2025-01-03T00:00:00Z"),
    });
    await recordImport(api.db, {
      uid: importB,
      namespace: teamB,
      name: "three",
      state: "failed",
      created_at: new Date("2025-01-05T00:00:00Z"),
    });

    const rows: NewImage[] = [];
    for (let n = 1; n <= 6; n++) {
      rows.push(
        imageRow(importA1, api.bucket, n, {
          mime_type: n % 2 === 0 ? "image/png" : "image/jpeg",
          folder_path: n <= 3 ? "2024/summer" : "2024/winter",
          created_at: new Date(Date.UTC(2025, 0, n)),
        }),
      );
    }
    rows.push(
      imageRow(importA2, api.bucket, 7, {
        mime_type: "image/heic",
        created_at: new Date("2025-01-07T00:00:00Z"),
        // Microseconds and an offset: the API shows times as Date.toISOString() does (UTC, ms truncated).
        updated_at: "2025-01-07T08:09:10.123999+02:00",
        taken_at: "2024-06-01T12:34:56.789654Z",
      }),
    );
    for (let n = 8; n <= 10; n++)
      rows.push(imageRow(importB, api.bucket, n, { created_at: new Date(Date.UTC(2025, 0, n)) }));
    for (const row of rows) {
      images.push({ id: await insertImage(api.db, row), row });
      await api.s3.send(
        new PutObjectCommand({
          Bucket: api.bucket,
          Key: row.object_key,
          Body: bytes,
          ContentType: row.mime_type,
        }),
      );
    }
  });

  afterAll(async () => {
    await api.close();
  });

  it("lists the images of the namespaces a caller may list, in the older shape with the new fields", async () => {
    const answer = await call(api, "GET", "/api/images?limit=100", { token: viewerA });
    expect(answer.status).toBe(200);
    expect(answer.body.pagination).toEqual({
      total: 7,
      limit: 100,
      offset: 0,
      hasMore: false,
      nextCursor: null,
    });
    expect(answer.body.data.map((i: { id: string }) => i.id)).toEqual(idsNewestFirst(ofTeamA()));
    const newest = answer.body.data[0];
    expect(newest).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        name: "photo-7.jpg",
        google_drive_id: "file-7",
        size: 1007,
        mime_type: "image/heic",
        storage_path: expect.stringContaining("X-Amz-Signature="),
        source: "google-drive",
        created_at: "2025-01-07T00:00:00.000Z",
        updated_at: "2025-01-07T06:09:10.123Z",
        taken_at: "2024-06-01T12:34:56.789Z",
        import_id: importA2,
        bucket: api.bucket,
      }),
    );

    const admin = await call(api, "GET", "/api/images", { token: staticToken });
    expect(admin.body.pagination.total).toBe(10);
    const none = await call(api, "GET", "/api/images", { token: stranger });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({
      success: true,
      data: [],
      pagination: { total: 0, limit: 100, offset: 0, hasMore: false, nextCursor: null },
    });

    const elsewhere = await call(api, "GET", `/api/images?namespace=${teamB}`, { token: viewerA });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toEqual({
      success: false,
      error: expect.stringContaining(`in namespace ${teamB}`),
    });
    const anonymous = await call(api, "GET", "/api/images");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ success: false, error: expect.stringContaining("Bearer") });
  });

  it("pages newest first by keyset cursor and by offset, counting only when asked or by offset", async () => {
    const pagedByCursor = async (token: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: {
          body: { data: { id: string }[]; pagination: { total: number | null; nextCursor: string | null } };
        } = await call(api, "GET", `/api/images?limit=3${cursor === null ? "" : `&cursor=${cursor}`}`, {
          token,
        });
        if (cursor !== null) expect(page.body.pagination.total).toBeNull();
        ids.push(...page.body.data.map((image) => image.id));
        cursor = page.body.pagination.nextCursor;
      } while (cursor !== null);
      return ids;
    };
    const seen = await pagedByCursor(viewerA);
    expect(seen).toEqual(idsNewestFirst(ofTeamA()));
    // Unfiltered pages (an admin's) run other statements: the limit is in their SQL text.
    expect(await pagedByCursor(staticToken)).toEqual(idsNewestFirst(images));

    const counted = await call(
      api,
      "GET",
      `/api/images?limit=3&includeTotal=true&cursor=${encodeURIComponent(
        Buffer.from(JSON.stringify(["images", seen[2]])).toString("base64url"),
      )}`,
      { token: viewerA },
    );
    expect(counted.body.pagination).toMatchObject({ total: 7, hasMore: true });
    expect(counted.body.data.map((i: { id: string }) => i.id)).toEqual(seen.slice(3, 6));

    const byOffset = await call(api, "GET", "/api/images?limit=3&offset=3", { token: viewerA });
    expect(byOffset.body.data.map((i: { id: string }) => i.id)).toEqual(seen.slice(3, 6));
    expect(byOffset.body.pagination).toMatchObject({ total: 7, limit: 3, offset: 3, hasMore: true });
    const lastPage = await call(api, "GET", "/api/images?limit=3&offset=6", { token: viewerA });
    expect(lastPage.body.pagination).toMatchObject({ total: 7, hasMore: false, nextCursor: null });
    const uncounted = await call(api, "GET", "/api/images?limit=3&offset=3&includeTotal=false", {
      token: viewerA,
    });
    expect(uncounted.body.pagination.total).toBeNull();
  });

  it("filters by import, source, MIME type, folder and creation time", async () => {
    const ids = async (query: string, token = viewerA): Promise<string[]> => {
      const answer = await call(api, "GET", `/api/images?${query}`, { token });
      expect(answer.status, query).toBe(200);
      return answer.body.data.map((image: { id: string }) => image.id);
    };
    const expected = (keep: (row: NewImage) => boolean) =>
      idsNewestFirst(ofTeamA().filter((image) => keep(image.row)));

    expect(await ids(`importId=${importA2}`)).toEqual(expected((row) => row.import_uid === importA2));
    expect(await ids(`importId=${importB}`)).toEqual([]); // another team's import: nothing to see
    expect(await ids(`importId=${importB}`, staticToken)).toHaveLength(3);
    expect(await ids("source=google-drive")).toHaveLength(7);
    expect(await ids("source=dropbox")).toEqual([]);
    expect(await ids("mimeType=image/png")).toEqual(expected((row) => row.mime_type === "image/png"));
    expect(await ids("mimeType=image/*")).toHaveLength(7);
    expect(await ids(`folderPath=${encodeURIComponent("2024/winter")}`)).toEqual(
      expected((row) => row.folder_path === "2024/winter"),
    );
    expect(await ids("createdAfter=2025-01-03T00:00:00Z&createdBefore=2025-01-05T00:00:00Z")).toEqual(
      expected((row) => {
        const created = new Date(row.created_at as Date).getTime();
        return created >= Date.parse("2025-01-03T00:00:00Z") && created < Date.parse("2025-01-05T00:00:00Z");
      }),
    );
    expect(
      await ids(`namespace=${teamA}&mimeType=image/jpeg&folderPath=${encodeURIComponent("2024/summer")}`),
    ).toEqual(expected((row) => row.mime_type === "image/jpeg" && row.folder_path === "2024/summer"));
  });

  it("reads one image with a short-lived URL that fetches its bytes", async () => {
    const image = images[0];
    if (image === undefined) throw new Error("no image seeded");
    const before = Date.now();
    const answer = await call(api, "GET", `/api/images/${image.id}`, { token: viewerA });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      id: image.id,
      name: image.row.name,
      object_key: image.row.object_key,
    });
    expect(answer.body.data.downloadUrl).toBe(answer.body.data.storage_path);
    const expiresAt = Date.parse(answer.body.data.downloadUrlExpiresAt);
    expect(expiresAt).toBeGreaterThan(before + 290_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
    const download = await fetch(answer.body.data.downloadUrl);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    const tampered = await fetch(
      answer.body.data.downloadUrl.replace(/X-Amz-Expires=\d+/, "X-Amz-Expires=604800"),
    );
    expect(tampered.status).toBe(403);

    expect((await call(api, "GET", `/api/images/${image.id}`, { token: stranger })).status).toBe(403);
    expect((await call(api, "GET", `/api/images/${image.id}`)).status).toBe(401);
    const teamBImage = images.find((seeded) => seeded.row.import_uid === importB);
    expect((await call(api, "GET", `/api/images/${teamBImage?.id}`, { token: viewerA })).status).toBe(403);
  });

  it("deletes an image's object and then its row, for callers who may delete in its namespace", async () => {
    const image = images[1];
    if (image === undefined) throw new Error("no image seeded");
    const refused = await call(api, "DELETE", `/api/images/${image.id}`, { token: viewerA });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain("may not delete");
    expect((await call(api, "DELETE", `/api/images/${image.id}`)).status).toBe(401);
    await api.s3.send(new HeadObjectCommand({ Bucket: api.bucket, Key: image.row.object_key }));

    const deleted = await call(api, "DELETE", `/api/images/${image.id}`, { token: editorA });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, message: `image ${image.id} deleted` });
    await expect(
      api.s3.send(new GetObjectCommand({ Bucket: api.bucket, Key: image.row.object_key })),
    ).rejects.toMatchObject({
      name: "NoSuchKey",
    });
    const row = await api.db
      .selectFrom("images")
      .select("name")
      .where("name", "=", image.row.name)
      .executeTakeFirst();
    expect(row).toBeUndefined();
    expect((await call(api, "GET", `/api/images/${image.id}`, { token: editorA })).status).toBe(404);
    expect((await call(api, "DELETE", `/api/images/${image.id}`, { token: editorA })).status).toBe(404);
    images.splice(1, 1);
  });

  it("keeps the row when the object cannot be deleted, and says so", async () => {
    const row = imageRow(importA1, "no-such-bucket-for-this-test", 99);
    const answer = await call(api, "DELETE", `/api/images/${await insertImage(api.db, row)}`, {
      token: staticToken,
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ success: false, error: expect.stringContaining("the image was kept") });
    const kept = await api.db
      .selectFrom("images")
      .select("name")
      .where("name", "=", row.name)
      .executeTakeFirst();
    expect(kept).toEqual({ name: row.name });
    await api.db.deleteFrom("images").where("name", "=", row.name).execute();
  });

  it("counts only what the caller may see in the stats", async () => {
    const mine = await call(api, "GET", "/api/stats", { token: viewerA });
    expect(mine.status).toBe(200);
    const teamARows = ofTeamA().map((image) => image.row);
    expect(mine.body).toEqual({
      success: true,
      stats: {
        totalImages: teamARows.length,
        totalSize: teamARows.reduce((sum, row) => sum + Number(row.size), 0),
        sources: { "google-drive": teamARows.length },
        lastImport: "2025-01-03T00:00:00.000Z",
        byMimeType: {
          "image/jpeg": teamARows.filter((row) => row.mime_type === "image/jpeg").length,
          "image/png": teamARows.filter((row) => row.mime_type === "image/png").length,
          "image/heic": 1,
        },
        importsByState: {
          pending: 0,
          listing: 0,
          running: 1,
          suspended: 0,
          succeeded: 1,
          failed: 0,
          cancelled: 0,
        },
        totalImports: 2,
      },
    });
    const all = await call(api, "GET", "/api/stats", { token: staticToken });
    expect(all.body.stats).toMatchObject({
      totalImages: images.length,
      totalImports: 3,
      lastImport: "2025-01-05T00:00:00.000Z",
    });
    const nothing = await call(api, "GET", "/api/stats", { token: stranger });
    expect(nothing.body.stats).toMatchObject({
      totalImages: 0,
      totalSize: 0,
      sources: {},
      lastImport: null,
      totalImports: 0,
    });
    expect((await call(api, "GET", `/api/stats?namespace=${teamB}`, { token: viewerA })).status).toBe(403);
    expect((await call(api, "GET", "/api/stats")).status).toBe(401);
  });
});
