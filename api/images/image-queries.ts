import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import type { Database, ImageRow } from "../../lib/db/index.ts";

/** Which images a listing covers. `namespaces` limits it to images of imports in those namespaces. */
export interface ImageFilters {
  namespaces: string[] | undefined;
  importId: string | undefined;
  source: string | undefined;
  mimeType: string | undefined;
  folderPath: string | undefined;
  createdAfter: Date | undefined;
  createdBefore: Date | undefined;
}

export interface ImagePageRequest {
  filters: ImageFilters;
  limit: number;
  /** Keyset: only images with a smaller id (newest first). */
  beforeId: string | undefined;
  offset: number;
  includeTotal: boolean;
}

/** An image row as the API reads it: the id and timestamps as PostgreSQL's text (see `imageColumns`). */
export interface ImageRecord extends Omit<ImageRow, "id" | "taken_at" | "created_at" | "updated_at"> {
  id: string;
  taken_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ImagePage {
  rows: ImageRecord[];
  hasMore: boolean;
  total: number | undefined;
}

/**
 * images.id for comparisons. lib/db types it Generated<Int8>, which nests one ColumnType in another, so
 * kysely's typed where() accepts no value for it; PostgreSQL casts the id text to int8 itself.
 */
export const imageId = sql<string>`images.id`;

/**
 * A timestamptz as the text PostgreSQL writes for it anyway (its output function; pg would parse that into
 * a Date). imageItem turns it into ISO 8601 with string slicing: a page has three timestamps a row, and
 * the Date round trip (a regex, a Date, toISOString's printf) was a fifth of the API's time on a page.
 */
function timestampText<T extends string | null>(
  column: "images.taken_at" | "images.created_at" | "images.updated_at",
) {
  return sql<T>`${sql.ref(column)}::text`;
}

/** Every column of images, as an ImageRecord. */
const imageColumns = [
  imageId.as("id"),
  "images.source",
  "images.source_id",
  "images.import_uid",
  "images.name",
  "images.folder_path",
  "images.mime_type",
  "images.size",
  "images.md5",
  "images.sha256",
  "images.width",
  "images.height",
  timestampText<string | null>("images.taken_at").as("taken_at"),
  "images.camera_make",
  "images.camera_model",
  "images.latitude",
  "images.longitude",
  "images.bucket",
  "images.object_key",
  timestampText<string>("images.created_at").as("created_at"),
  timestampText<string>("images.updated_at").as("updated_at"),
] as const;

type ImagesQuery<O> = SelectQueryBuilder<Database, "images", O>;

function applyFilters<O>(query: ImagesQuery<O>, filters: ImageFilters): ImagesQuery<O> {
  let q = query;
  if (filters.namespaces !== undefined) {
    const namespaces = filters.namespaces;
    q = q.where("images.import_uid", "in", (eb) =>
      eb.selectFrom("imports").select("imports.uid").where("imports.namespace", "in", namespaces),
    );
  }
  if (filters.importId !== undefined) q = q.where("images.import_uid", "=", filters.importId);
  if (filters.source !== undefined) q = q.where("images.source", "=", filters.source);
  if (filters.mimeType !== undefined) {
    q = filters.mimeType.endsWith("/*")
      ? q.where("images.mime_type", "like", `${filters.mimeType.slice(0, -1)}%`)
      : q.where("images.mime_type", "=", filters.mimeType);
  }
  if (filters.folderPath !== undefined) q = q.where("images.folder_path", "=", filters.folderPath);
  if (filters.createdAfter !== undefined) q = q.where("images.created_at", ">=", filters.createdAfter);
  if (filters.createdBefore !== undefined) q = q.where("images.created_at", "<", filters.createdBefore);
  return q;
}

/**
 * One page of images, newest (highest id) first, by keyset (`beforeId`) or offset. It reads one row
 * more than asked to know whether another page follows; the total is counted only when asked, since a
 * count walks every matching row.
 */
export async function listImages(db: Kysely<Database>, request: ImagePageRequest): Promise<ImagePage> {
  const { filters } = request;
  if (filters.namespaces?.length === 0)
    return { rows: [], hasMore: false, total: request.includeTotal ? 0 : undefined };
  let page = applyFilters(db.selectFrom("images").selectAll("images"), filters);
  if (request.beforeId !== undefined) page = page.where(imageId, "<", request.beforeId);
  // The page is cut in a subquery so that only its rows are converted to text: PostgreSQL computes a
  // select list for every row an OFFSET skips, too.
  const rowsQuery = db
    .selectFrom(
      page
        .orderBy("images.id", "desc")
        .limit(request.limit + 1)
        .offset(request.offset)
        .as("images"),
    )
    .select(imageColumns)
    .orderBy("images.id", "desc");
  const countQuery = request.includeTotal
    ? applyFilters(
        db.selectFrom("images").select(sql<string>`count(*)`.as("total")),
        filters,
      ).executeTakeFirstOrThrow()
    : undefined;
  const [rows, count] = await Promise.all([rowsQuery.execute(), countQuery]);
  return {
    rows: rows.slice(0, request.limit),
    hasMore: rows.length > request.limit,
    total: count === undefined ? undefined : Number(count.total),
  };
}

/** One image with the namespace of the import that brought it (null when that import is unknown). */
export async function findImage(
  db: Kysely<Database>,
  id: string,
): Promise<{ image: ImageRecord; namespace: string | null } | undefined> {
  const row = await db
    .selectFrom("images")
    .leftJoin("imports", "imports.uid", "images.import_uid")
    .select(imageColumns)
    .select("imports.namespace as import_namespace")
    .where(imageId, "=", id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { import_namespace: namespace, ...image } = row;
  return { image, namespace };
}
