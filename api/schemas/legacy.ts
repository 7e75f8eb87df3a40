import { Type } from "typebox";
import { ImportUid } from "./images.ts";

const strict = { additionalProperties: false } as const;

export const LegacyImportBody = Type.Object(
  { folderUrl: Type.String({ minLength: 1, maxLength: 2048, description: "The Drive folder's link." }) },
  strict,
);

export const LegacyImportStarted = Type.Object(
  {
    success: Type.Literal(true),
    jobId: Type.String({ description: "The ImageImport's uid." }),
    message: Type.String(),
    status: Type.Literal("waiting"),
  },
  strict,
);

export const JobParams = Type.Object({ jobId: ImportUid }, strict);

export const LegacyJobEnvelope = Type.Object(
  {
    success: Type.Literal(true),
    job: Type.Object(
      {
        id: Type.String(),
        status: Type.Enum(["waiting", "active", "completed", "failed"]),
        progress: Type.Integer({ minimum: 0, maximum: 100 }),
        totalImages: Type.Integer({ minimum: 0 }),
        processedImages: Type.Integer({ minimum: 0 }),
        failedImages: Type.Integer({ minimum: 0 }),
        startedAt: Type.String({ format: "date-time" }),
        updatedAt: Type.String({ format: "date-time" }),
      },
      strict,
    ),
  },
  strict,
);
