import { Type } from "typebox";

const strict = { additionalProperties: false } as const;

export const DependencyChecks = Type.Object(
  {
    kubernetes: Type.String({ description: "ok, or the error code of the failed check." }),
    database: Type.String({ description: "ok, or the error code of the failed check." }),
  },
  strict,
);

export const Liveness = Type.Object({ status: Type.Literal("ok") }, strict);

export const Readiness = Type.Object(
  { status: Type.Enum(["ready", "unready"]), checks: DependencyChecks },
  strict,
);

export const LegacyHealth = Type.Object(
  {
    success: Type.Boolean(),
    service: Type.Literal("api"),
    timestamp: Type.String({ format: "date-time" }),
    uptime: Type.Number({ description: "Seconds since the process started." }),
    status: Type.Enum(["healthy", "unhealthy"]),
    checks: DependencyChecks,
  },
  strict,
);
