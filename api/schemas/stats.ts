import { Type } from "typebox";
import { Nullable } from "./common.ts";

const strict = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0 });

// The older API's four fields first; the rest was added beside them.
export const StatsEnvelope = Type.Object(
  {
    success: Type.Literal(true),
    stats: Type.Object(
      {
        totalImages: Count,
        totalSize: Type.Integer({ minimum: 0, description: "Bytes stored." }),
        sources: Type.Record(Type.String(), Count, { description: "Images by source, e.g. google-drive." }),
        lastImport: Nullable(
          Type.String({ format: "date-time", description: "When the latest import was created." }),
        ),
        byMimeType: Type.Record(Type.String(), Count),
        importsByState: Type.Object(
          {
            pending: Count,
            listing: Count,
            running: Count,
            suspended: Count,
            succeeded: Count,
            failed: Count,
            cancelled: Count,
          },
          strict,
        ),
        totalImports: Count,
      },
      strict,
    ),
  },
  strict,
);
