import { Type, type Static } from "typebox";
import { Cursor, NamespaceName, Nullable, PageLimit } from "./common.ts";

const strict = { additionalProperties: false } as const;

/** An image id: a positive 64-bit integer, as a string. */
export const ImageId = Type.String({ pattern: "^[1-9][0-9]{0,17}$", description: "The image's id." });

/** A Kubernetes uid (the ImageImport's, which the older routes call jobId). */
export const ImportUid = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9-]+$",
  description: "An import's id (the ImageImport's uid; jobId in the older routes).",
});

export const ImageParams = Type.Object({ id: ImageId }, strict);

export const ListImagesQuery = Type.Object(
  {
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9-]+$", description: "e.g. google-drive" }),
    ),
    limit: PageLimit({ default: 100, maximum: 1000 }),
    offset: Type.Integer({
      minimum: 0,
      maximum: 10_000_000,
      default: 0,
      description: "Rows to skip (deep offsets are slow: prefer cursor).",
    }),
    cursor: Type.Optional(Cursor),
    includeTotal: Type.Optional(
      Type.Boolean({
        description:
          "Count the matching images. Default: true for offset pages (as the older API did), false with a cursor.",
      }),
    ),
    importId: Type.Optional(ImportUid),
    namespace: Type.Optional(NamespaceName),
    mimeType: Type.Optional(
      Type.String({
        maxLength: 127,
        pattern: "^[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)$",
        description: "Exact (image/png) or a family (image/*).",
      }),
    ),
    folderPath: Type.Optional(
      Type.String({ maxLength: 4096, description: "The Drive folder path, exactly." }),
    ),
    createdAfter: Type.Optional(
      Type.String({ format: "date-time", description: "Created at or after (RFC 3339)." }),
    ),
    createdBefore: Type.Optional(
      Type.String({ format: "date-time", description: "Created before (RFC 3339)." }),
    ),
  },
  strict,
);
export type ListImagesQuery = Static<typeof ListImagesQuery>;

// Field names follow the older API (snake_case) so its clients read the items unchanged.
export const ImageItem = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    google_drive_id: Type.String({ description: "The file's id at its source (Drive file id)." }),
    size: Type.Integer({ description: "Bytes." }),
    mime_type: Type.String(),
    storage_path: Type.String({ description: "A URL to fetch the image from (presigned: short-lived)." }),
    source: Type.String(),
    created_at: Type.String({ format: "date-time" }),
    source_id: Type.String(),
    import_id: Type.String(),
    folder_path: Type.String(),
    md5: Type.String(),
    sha256: Type.String(),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    taken_at: Nullable(Type.String({ format: "date-time" })),
    camera_make: Nullable(Type.String()),
    camera_model: Nullable(Type.String()),
    latitude: Nullable(Type.Number()),
    longitude: Nullable(Type.Number()),
    bucket: Type.String(),
    object_key: Type.String(),
    updated_at: Type.String({ format: "date-time" }),
  },
  strict,
);
export type ImageItem = Static<typeof ImageItem>;

export const ImageListEnvelope = Type.Object(
  {
    success: Type.Literal(true),
    data: Type.Array(ImageItem),
    pagination: Type.Object(
      {
        total: Nullable(
          Type.Integer({ description: "Matching images; null unless counted (includeTotal)." }),
        ),
        limit: Type.Integer(),
        offset: Type.Integer(),
        hasMore: Type.Boolean(),
        nextCursor: Nullable(
          Type.String({ description: "Pass as cursor for the next page; null on the last." }),
        ),
      },
      strict,
    ),
  },
  strict,
);

export const ImageEnvelope = Type.Object(
  {
    success: Type.Literal(true),
    data: Type.Object(
      {
        ...ImageItem.properties,
        downloadUrl: Type.String({ description: "The same as storage_path." }),
        downloadUrlExpiresAt: Nullable(Type.String({ format: "date-time" })),
      },
      strict,
    ),
  },
  strict,
);
