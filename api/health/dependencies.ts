import { sql } from "kysely";
import { ApiError } from "../errors.ts";
import type { Services } from "../services.ts";

/** Each dependency's state: "ok" or the code of what failed. */
export interface DependencyChecks {
  kubernetes: string;
  database: string;
}

const databaseTimeoutMs = 3_000;

async function outcome(check: () => Promise<unknown>, failureCode: string): Promise<string> {
  try {
    await check();
    return "ok";
  } catch (error) {
    return error instanceof ApiError ? error.code : failureCode;
  }
}

/** Whether the Kubernetes API (with the ImageImport resource) and PostgreSQL answer, checked together. */
export async function checkDependencies(
  services: Pick<Services, "imports" | "db">,
): Promise<DependencyChecks> {
  const [kubernetes, database] = await Promise.all([
    outcome(() => services.imports.ping(), "KUBERNETES_UNAVAILABLE"),
    outcome(
      () =>
        Promise.race([
          sql`SELECT 1`.execute(services.db),
          new Promise((_, reject) => setTimeout(reject, databaseTimeoutMs).unref()),
        ]),
      "DATABASE_UNAVAILABLE",
    ),
  ]);
  return { kubernetes, database };
}

/** True when every check passed. */
export function allHealthy(checks: DependencyChecks): boolean {
  return checks.kubernetes === "ok" && checks.database === "ok";
}
