import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from "kysely";
import { NamedStatement, prepareQuery, type Database, type ImageRow } from "../../lib/db/index.ts";

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
export const imageColumns = [
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

/**
 * An ImageRecord from a row of `imageColumns` read as an array (NamedStatement's rows), by position.
 * image-queries.test.ts checks the positions against `imageColumns`.
 */
export function imageRecordOf(row: unknown[]): ImageRecord {
  return {
    id: row[0],
    source: row[1],
    source_id: row[2],
    import_uid: row[3],
    name: row[4],
    folder_path: row[5],
    mime_type: row[6],
    size: row[7],
    md5: row[8],
    sha256: row[9],
    width: row[10],
    height: row[11],
    taken_at: row[12],
    camera_make: row[13],
    camera_model: row[14],
    latitude: row[15],
    longitude: row[16],
    bucket: row[17],
    object_key: row[18],
    created_at: row[19],
    updated_at: row[20],
  } as ImageRecord;
}

type ImagesQuery<O> = SelectQueryBuilder<Database, "images", O>;

/**
 * The values a page's statement takes, one per `$n`: undefined leaves that condition out. A MIME family
 * (image/*) is a LIKE pattern, apart from an exact type, since the two are different conditions.
 */
interface FilterValues {
  namespaces: readonly string[] | undefined;
  importId: string | undefined;
  source: string | undefined;
  mimeType: string | undefined;
  mimePattern: string | undefined;
  folderPath: string | undefined;
  createdAfter: Date | undefined;
  createdBefore: Date | undefined;
}

interface PageValues extends FilterValues {
  beforeId: string | undefined;
  offset: number | undefined;
  limit: number;
}

const filterSlots = [
  "namespaces",
  "importId",
  "source",
  "mimeType",
  "mimePattern",
  "folderPath",
  "createdAfter",
  "createdBefore",
] as const satisfies readonly (keyof FilterValues)[];
const pageSlots = [
  ...filterSlots,
  "beforeId",
  "offset",
  "limit",
] as const satisfies readonly (keyof PageValues)[];
type PageSlot = (typeof pageSlots)[number];

function pageValues(request: ImagePageRequest): PageValues {
  const { filters } = request;
  const family = filters.mimeType?.endsWith("/*") === true ? filters.mimeType.slice(0, -1) : undefined;
  return {
    namespaces: filters.namespaces,
    importId: filters.importId,
    source: filters.source,
    mimeType: family === undefined ? filters.mimeType : undefined,
    mimePattern: family === undefined ? undefined : `${family}%`,
    folderPath: filters.folderPath,
    createdAfter: filters.createdAfter,
    createdBefore: filters.createdBefore,
    beforeId: request.beforeId,
    // OFFSET 0 skips nothing; leaving it out keeps keyset pages' statement free of it.
    offset: request.offset > 0 ? request.offset : undefined,
    // One row more than asked, to know whether another page follows.
    limit: request.limit + 1,
  };
}

function applyFilters<O>(query: ImagesQuery<O>, filters: FilterValues): ImagesQuery<O> {
  let q = query;
  const { namespaces } = filters;
  if (namespaces !== undefined) {
    // = any(array): one parameter however many namespaces, so one statement serves every caller.
    q = q.where("images.import_uid", "in", (eb) =>
      eb
        .selectFrom("imports")
        .select("imports.uid")
        .where("imports.namespace", "=", eb.fn.any(eb.val(namespaces))),
    );
  }
  if (filters.importId !== undefined) q = q.where("images.import_uid", "=", filters.importId);
  if (filters.source !== undefined) q = q.where("images.source", "=", filters.source);
  if (filters.mimeType !== undefined) q = q.where("images.mime_type", "=", filters.mimeType);
  if (filters.mimePattern !== undefined) q = q.where("images.mime_type", "like", filters.mimePattern);
  if (filters.folderPath !== undefined) q = q.where("images.folder_path", "=", filters.folderPath);
  if (filters.createdAfter !== undefined) q = q.where("images.created_at", ">=", filters.createdAfter);
  if (filters.createdBefore !== undefined) q = q.where("images.created_at", "<", filters.createdBefore);
  return q;
}

/**
 * The page query. The page is cut in a subquery so that only its rows are converted to text: PostgreSQL
 * computes a select list for every row an OFFSET skips, too. `limit` is either a slot or, for a literal
 * limit (see pageStatementFor), the number itself.
 */
function pageQuery(db: Kysely<Database>, values: PageValues, limit: number | RawBuilder<number>) {
  let page = applyFilters(db.selectFrom("images").selectAll("images"), values);
  if (values.beforeId !== undefined) page = page.where(imageId, "<", values.beforeId);
  page = page.orderBy("images.id", "desc").limit(limit);
  if (values.offset !== undefined) page = page.offset(values.offset);
  return db.selectFrom(page.as("images")).select(imageColumns).orderBy("images.id", "desc");
}

/** A page statement and how to fill its parameters. */
interface PageStatement {
  named: NamedStatement;
  parameters: (values: PageValues) => unknown[];
}

// One statement per combination of conditions (at most 2^10), and per limit for unfiltered pages, built
// and compiled by kysely once. The SQL depends on the dialect alone, so the statements serve any handle.
const pageStatements = new Map<string, PageStatement>();

/**
 * An unfiltered page has one good plan (a backward scan of images_pkey), so its statement carries the
 * limit as a literal: with `LIMIT $n` PostgreSQL costs a cached plan for a tenth of the table and plans
 * every run afresh, which was a third of its time on a page. With the literal the cached generic plan
 * wins after five runs. Filtered pages keep the parameter, hence custom plans that see each filter's
 * values (a rare folder wants its own index). A client may ask for any of 1,000 limits, but each shape
 * makes at most that many small statements per connection.
 */
function literalLimit(values: PageValues): boolean {
  return filterSlots.every((slot) => values[slot] === undefined);
}

function pageStatementFor(db: Kysely<Database>, values: PageValues): PageStatement {
  const literal = literalLimit(values);
  const slots = pageSlots.filter((slot) => values[slot] !== undefined && !(literal && slot === "limit"));
  const shape = literal ? `${slots.join(",")};limit ${values.limit}` : slots.join(",");
  let statement = pageStatements.get(shape);
  if (statement === undefined) {
    const limit = literal ? sql.lit(values.limit) : undefined;
    const prepared = prepareQuery(db, slots, (slot: Readonly<Record<PageSlot, never>>) =>
      pageQuery(db, slot, limit ?? slot.limit),
    );
    statement = {
      named: new NamedStatement(prepared.sql),
      parameters: (values) => prepared.parameters(values),
    };
    pageStatements.set(shape, statement);
  }
  return statement;
}

/**
 * One page of images, newest (highest id) first, by keyset (`beforeId`) or offset. It reads one row
 * more than asked to know whether another page follows; the total is counted only when asked, since a
 * count walks every matching row. The page runs as a named statement: a page is requested many times a
 * second, and building, compiling and parsing its SQL each time cost more than reading its rows.
 */
export async function listImages(db: Kysely<Database>, request: ImagePageRequest): Promise<ImagePage> {
  const { filters } = request;
  if (filters.namespaces?.length === 0)
    return { rows: [], hasMore: false, total: request.includeTotal ? 0 : undefined };
  const values = pageValues(request);
  const statement = pageStatementFor(db, values);
  const countQuery = request.includeTotal
    ? applyFilters(
        db.selectFrom("images").select(sql<string>`count(*)`.as("total")),
        values,
      ).executeTakeFirstOrThrow()
    : undefined;
  const [rows, count] = await Promise.all([
    statement.named.rows(db, statement.parameters(values)),
    countQuery,
  ]);
  return {
    rows: rows.slice(0, request.limit).map(imageRecordOf),
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
