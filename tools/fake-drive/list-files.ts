/** files.list: query, paging, ordering and field projection over the tree. */
import type { ChecksumCalculator } from "./checksums.ts";
import { DriveApiError } from "./errors.ts";
import { parseFields, project, validateSelection, type Schema, type Selection } from "./fields.ts";
import { DEFAULT_FILE_SELECTION, FILE_SCHEMA, fileResource } from "./file-resource.ts";
import { parseOrderBy } from "./order-by.ts";
import { decodePageToken, encodePageToken } from "./page-token.ts";
import { matchesQuery, parentScope, parseQuery, referencedParents, type QueryNode } from "./query.ts";
import { hashString } from "./random.ts";
import { isReachable } from "./resource-keys.ts";
import type { DriveItem, FakeTree } from "./tree.ts";

const LIST_SCHEMA: Schema = {
  kind: "leaf",
  nextPageToken: "leaf",
  incompleteSearch: "leaf",
  files: FILE_SCHEMA,
};
const DEFAULT_LIST_SELECTION: Selection = new Map<string, Selection | undefined>([
  ["kind", undefined],
  ["nextPageToken", undefined],
  ["incompleteSearch", undefined],
  ["files", DEFAULT_FILE_SELECTION],
]);
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** A validated files.list request. */
export interface ListRequest {
  query: QueryNode | undefined;
  /** Folders whose children the query asks for: each must exist and be reachable. */
  parentIds: string[];
  selection: Selection;
  pageSize: number;
  orderBy: string | undefined;
  pageToken: string | undefined;
  /** Binds page tokens to this query and order. */
  scope: string;
}

/** How an injected fault reshapes one page. */
export interface PageShaping {
  /** Serve at most this many files (0: an empty page), still handing out a token for the rest. */
  maxFiles?: number;
  /** Drop the token: the listing ends here, as Drive's batched queries sometimes do. */
  endListing?: boolean;
}

export interface ListContext {
  tree: FakeTree;
  checksums: ChecksumCalculator;
  resourceKeys: ReadonlyMap<string, string>;
}

/** Reads and validates the parameters of a files.list call (Drive's 400s for bad ones). */
export function parseListRequest(params: URLSearchParams): ListRequest {
  const q = params.get("q") ?? undefined;
  const query = q === undefined || q.trim() === "" ? undefined : parseQuery(q);
  const fields = params.get("fields");
  const selection = fields === null ? DEFAULT_LIST_SELECTION : parseFields(fields);
  validateSelection(selection, LIST_SCHEMA);
  const orderBy = params.get("orderBy") ?? undefined;
  if (orderBy !== undefined) parseOrderBy(orderBy);
  return {
    query,
    parentIds: query ? referencedParents(query) : [],
    selection,
    pageSize: parsePageSize(params.get("pageSize")),
    orderBy,
    pageToken: params.get("pageToken") ?? undefined,
    scope: hashString(`${q ?? ""}\n${orderBy ?? ""}`).toString(36),
  };
}

/** One page of results, shaped as Drive's FileList and projected to the requested fields. */
export async function listFiles(
  request: ListRequest,
  context: ListContext,
  shaping: PageShaping = {},
): Promise<unknown> {
  const { tree, resourceKeys } = context;
  for (const parentId of request.parentIds) {
    const parent = tree.get(parentId);
    if (!parent || !isReachable(parent, resourceKeys)) throw new DriveApiError("notFound", parentId);
  }
  const listedParents = new Set(request.parentIds);
  // Children of a folder the request reached are listed even when they need a key of their own.
  const visible = (item: Readonly<DriveItem>): boolean =>
    (item.parentId !== undefined && listedParents.has(item.parentId)) || isReachable(item, resourceKeys);
  const wanted = (item: Readonly<DriveItem>): boolean =>
    visible(item) && (!request.query || matchesQuery(request.query, item));

  const start = request.pageToken === undefined ? 0 : decodePageToken(request.pageToken, request.scope);
  const limit = Math.min(request.pageSize, shaping.maxFiles ?? Infinity);
  const { items, next } =
    request.orderBy === undefined
      ? scanPage(tree, request.query, wanted, start, limit)
      : sortedPage(tree, request.orderBy, wanted, start, limit);
  const nextPageToken =
    next === undefined || shaping.endListing ? undefined : encodePageToken(next, request.scope);

  const filesSelection = request.selection.has("*") ? undefined : request.selection.get("files");
  const files =
    request.selection.has("files") || request.selection.has("*")
      ? await Promise.all(items.map((item) => fileResource(item, filesSelection, tree, context.checksums)))
      : [];
  return project(
    { kind: "drive#fileList", nextPageToken, incompleteSearch: false, files },
    request.selection,
  );
}

interface Page {
  items: Readonly<DriveItem>[];
  /** Where the next page starts, when another wanted item exists. */
  next: number | undefined;
}

/** Walks candidates in insertion order from `start`; the position is an index into the candidates. */
function scanPage(
  tree: FakeTree,
  query: QueryNode | undefined,
  wanted: (item: Readonly<DriveItem>) => boolean,
  start: number,
  limit: number,
): Page {
  const scope = query && parentScope(query);
  const lists = scope ? scope.map((id) => tree.children(id)) : [tree.allIds()];
  const items: Readonly<DriveItem>[] = [];
  for (const [position, id] of candidates(lists, start)) {
    const item = tree.get(id);
    if (!item || !wanted(item)) continue;
    if (items.length === limit) return { items, next: position };
    items.push(item);
  }
  return { items, next: undefined };
}

/** Sorts every wanted item (orderBy is optional and costs a full pass per page). */
function sortedPage(
  tree: FakeTree,
  orderBy: string,
  wanted: (item: Readonly<DriveItem>) => boolean,
  start: number,
  limit: number,
): Page {
  const all: Readonly<DriveItem>[] = [];
  for (const id of tree.allIds()) {
    const item = tree.get(id);
    if (item && wanted(item)) all.push(item);
  }
  all.sort(parseOrderBy(orderBy));
  const end = start + limit;
  return { items: all.slice(start, end), next: end < all.length ? end : undefined };
}

/** [position, id] pairs of the concatenated lists, from `start` on. */
function* candidates(lists: ReadonlyArray<readonly string[]>, start: number): Generator<[number, string]> {
  let offset = 0;
  for (const list of lists) {
    if (offset + list.length <= start) {
      offset += list.length;
      continue;
    }
    for (let i = Math.max(0, start - offset); i < list.length; i++) yield [offset + i, list[i]!];
    offset += list.length;
  }
}

function parsePageSize(value: string | null): number {
  if (value === null) return DEFAULT_PAGE_SIZE;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1) throw new DriveApiError("invalidParameter", "pageSize");
  return Math.min(size, MAX_PAGE_SIZE);
}
