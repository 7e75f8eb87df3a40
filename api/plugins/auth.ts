import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../auth/authenticator.ts";
import { bearerToken } from "../auth/bearer.ts";
import type { Principal } from "../auth/principal.ts";
import { ApiErrors } from "../errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller; set on every route that is not public. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** An /api route served without a token (/api/health); routes outside /api never need one. */
    public?: boolean;
    /** One of the older system's routes: errors keep its `{success, error: message}` shape. */
    legacy?: boolean;
  }
}

/**
 * Authenticates the caller of every /api route but /api/health from its bearer token before anything else runs, so
 * an unauthenticated request learns nothing (not even whether its input is valid). Authorisation is
 * per route, since the namespace comes from the path, the body or the database.
 */
export function installAuthentication(app: FastifyInstance, authenticator: Authenticator): void {
  // null until the hook below sets it: fastify wants request decorators declared up front, as values.
  app.decorateRequest("principal", null as never);
  app.addHook("onRequest", async (request) => {
    const route = request.routeOptions.url;
    if (request.is404 || route?.startsWith("/api/") !== true || request.routeOptions.config.public === true)
      return;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw ApiErrors.missingToken();
    request.principal = await authenticator.authenticate(token);
  });
}
