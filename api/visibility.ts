import type { Kysely } from "kysely";
import type { Database } from "../lib/db/index.ts";
import type { Authorizer } from "./auth/authorizer.ts";
import type { Principal } from "./auth/principal.ts";

/**
 * The namespaces whose images and import history `principal` may read: those where RBAC lets them
 * list imageimports. Undefined means every namespace (a cluster-wide grant). An explicit `namespace`
 * narrows it to that one, or fails with FORBIDDEN.
 */
export async function readableNamespaces(
  authorizer: Authorizer,
  db: Kysely<Database>,
  principal: Principal,
  namespace: string | undefined,
): Promise<string[] | undefined> {
  if (namespace !== undefined) {
    await authorizer.require(principal, "list", namespace);
    return [namespace];
  }
  const scope = await authorizer.scope(principal, "list", async () =>
    (await db.selectFrom("imports").select("namespace").distinct().execute()).map((row) => row.namespace),
  );
  return scope.all ? undefined : scope.namespaces;
}
