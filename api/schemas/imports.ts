import { Type, type Static } from "typebox";
import type { FileState, ImportState } from "../../lib/db/index.ts";
import { Cursor, NamespaceName, Nullable, ObjectName, PageLimit } from "./common.ts";

// Records keyed by lib/db's state types: the compiler refuses them if a state is added there and not here.
const importStateKeys: Record<ImportState, true> = {
  pending: true,
  listing: true,
  running: true,
  suspended: true,
  succeeded: true,
  failed: true,
  cancelled: true,
};
const fileStateKeys: Record<FileState, true> = {
  pending: true,
  queued: true,
  in_progress: true,
  succeeded: true,
  failed: true,
  skipped: true,
  unchanged: true,
};

/** Every state an import goes through (the CRD's status.phase lower-cased, PostgreSQL's imports.state). */
export const importStates = Object.keys(importStateKeys) as ImportState[];

export const ImportStateSchema = Type.Unsafe<ImportState>(
  Type.Enum(importStates, { description: "The import's state." }),
);

export const FileStateSchema = Type.Unsafe<FileState>(
  Type.Enum(Object.keys(fileStateKeys), { description: "One file's state." }),
);

const strict = { additionalProperties: false } as const;
/** The CRD's int64 fields, capped where JSON numbers stay exact. */
const int64 = { maximum: Number.MAX_SAFE_INTEGER } as const;

// The create body mirrors the CRD's spec and its limits, so most mistakes get a 400 before anything is
// created; what only the API server checks (CEL rules) comes back as 422 with its message.
export const CreateImportBody = Type.Object(
  {
    folderUrl: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        "The Drive folder's link (https://drive.google.com/drive/folders/<id>, with resourcekey if shared so; open?id=<id>; folderview?id=<id>) or its bare id.",
    }),
    name: Type.Optional(ObjectName),
    namespace: Type.Optional(NamespaceName),
    recursive: Type.Optional(Type.Boolean({ description: "Import sub-folders too (default true)." })),
    mimeTypes: Type.Optional(
      Type.Array(Type.String({ maxLength: 127, pattern: "^[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)$" }), {
        minItems: 1,
        maxItems: 32,
        description: "MIME types to import, exact or by family (image/*). Default image/*.",
      }),
    ),
    maxFileSizeBytes: Type.Optional(
      Type.Integer({ minimum: 1, ...int64, description: "Skip larger files." }),
    ),
    apiKeySecretRef: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 253 }),
          key: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
        },
        { ...strict, description: "A Secret in the import's namespace holding the Google API key." },
      ),
    ),
    destination: Type.Optional(
      Type.Object(
        {
          bucket: Type.Optional(
            Type.String({ maxLength: 63, pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$" }),
          ),
          prefix: Type.Optional(Type.String({ maxLength: 512, pattern: "^[^/].*/$|^$" })),
        },
        {
          ...strict,
          description:
            "Bucket and key prefix (ending in '/' and, under the chart's admission policy, starting with '<namespace>/'); defaults apply when left out.",
        },
      ),
    ),
    suspend: Type.Optional(Type.Boolean({ description: "Create the import suspended." })),
    backoffLimitPerFile: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    maxFailedFiles: Type.Optional(Type.Integer({ minimum: 0, ...int64 })),
    parallelism: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    activeDeadlineSeconds: Type.Optional(Type.Integer({ minimum: 1, ...int64 })),
    ttlSecondsAfterFinished: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    syncIntervalSeconds: Type.Optional(
      Type.Integer({ minimum: 60, ...int64, description: "Re-sync the folder this often (seconds)." }),
    ),
  },
  strict,
);
export type CreateImportBody = Static<typeof CreateImportBody>;

export const ImportParams = Type.Object({ namespace: NamespaceName, name: ObjectName }, strict);

export const ListImportsQuery = Type.Object(
  {
    namespace: Type.Optional(NamespaceName),
    state: Type.Optional(ImportStateSchema),
    limit: PageLimit({ default: 100, maximum: 500 }),
    continue: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: "The continue value of the previous page." }),
    ),
  },
  strict,
);

export const ImportFilesQuery = Type.Object(
  {
    state: Type.Optional(FileStateSchema),
    limit: PageLimit({ default: 100, maximum: 1000 }),
    cursor: Type.Optional(Cursor),
  },
  strict,
);

const Condition = Type.Object(
  {
    type: Type.String(),
    status: Type.String(),
    reason: Type.String(),
    message: Type.String(),
    lastTransitionTime: Type.String(),
  },
  strict,
);

const Failure = Type.Object(
  {
    fileId: Nullable(Type.String()),
    path: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    message: Nullable(Type.String()),
    attempts: Nullable(Type.Integer()),
  },
  strict,
);

const Counter = Type.Integer({ minimum: 0 });

export const ImportView = Type.Object(
  {
    id: Type.String({ description: "The ImageImport's uid; the older routes call it jobId." }),
    namespace: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    folderUrl: Type.String(),
    recursive: Type.Boolean(),
    destination: Type.Object({ bucket: Nullable(Type.String()), prefix: Nullable(Type.String()) }, strict),
    suspend: Type.Boolean(),
    cancel: Type.Boolean(),
    retryGeneration: Type.Integer(),
    state: ImportStateSchema,
    finished: Type.Boolean({ description: "True once the import succeeded, failed or was cancelled." }),
    deleting: Type.Boolean({ description: "True once deletion was requested." }),
    progress: Type.Object(
      {
        total: Counter,
        queued: Counter,
        succeeded: Counter,
        failed: Counter,
        skipped: Counter,
        unchanged: Counter,
        bytesTotal: Counter,
        bytesStored: Counter,
      },
      strict,
    ),
    listing: Type.Object({ foldersListed: Counter, complete: Type.Boolean() }, strict),
    conditions: Type.Array(Condition),
    failures: Type.Array(Failure, {
      description: "A sample of recent failures; GET .../files?state=failed lists all.",
    }),
    startTime: Nullable(Type.String({ format: "date-time" })),
    completionTime: Nullable(Type.String({ format: "date-time" })),
  },
  strict,
);
export type ImportView = Static<typeof ImportView>;

export const ImportFileView = Type.Object(
  {
    fileId: Type.String(),
    name: Type.String(),
    folderPath: Type.String(),
    mimeType: Type.String(),
    size: Nullable(Type.Integer()),
    state: FileStateSchema,
    attempts: Type.Integer(),
    errorReason: Nullable(Type.String()),
    errorMessage: Nullable(Type.String()),
    listedAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
    finishedAt: Nullable(Type.String({ format: "date-time" })),
  },
  strict,
);
export type ImportFileView = Static<typeof ImportFileView>;

export const ImportEnvelope = Type.Object({ success: Type.Literal(true), data: ImportView }, strict);

export const ImportListEnvelope = Type.Object(
  {
    success: Type.Literal(true),
    data: Type.Array(ImportView),
    pagination: Type.Object(
      {
        limit: Type.Integer(),
        continue: Nullable(
          Type.String({
            description:
              "Pass as continue for the next page; null on the last. A filtered page may hold fewer than limit items.",
          }),
        ),
      },
      strict,
    ),
  },
  strict,
);

export const ImportFilesEnvelope = Type.Object(
  {
    success: Type.Literal(true),
    data: Type.Array(ImportFileView),
    pagination: Type.Object({ limit: Type.Integer(), nextCursor: Nullable(Type.String()) }, strict),
  },
  strict,
);
