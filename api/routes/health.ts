import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import { allHealthy, checkDependencies } from "../health/dependencies.ts";
import type { Services } from "../services.ts";
import { LegacyHealth, Liveness, Readiness } from "../schemas/health.ts";

const tags = ["health"];

/** Probes: /livez (the process answers), /readyz (its dependencies answer) and the older /api/health. */
export const healthRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  const quiet = { logLevel: "warn" as const, config: { rateLimit: false } };

  app.get(
    "/livez",
    { ...quiet, schema: { tags, summary: "Liveness", security: [], response: { 200: Liveness } } },
    () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      ...quiet,
      schema: {
        tags,
        summary: "Readiness: Kubernetes API and PostgreSQL reachable",
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const checks = await checkDependencies(services);
      const ready = allHealthy(checks);
      void reply.code(ready ? 200 : 503);
      return { status: ready ? ("ready" as const) : ("unready" as const), checks };
    },
  );

  app.get(
    "/api/health",
    {
      ...quiet,
      config: { public: true, legacy: true, rateLimit: false },
      schema: {
        tags: [...tags, "legacy"],
        summary: "Health (older API); 503 when a dependency is down",
        security: [],
        response: { 200: LegacyHealth, 503: LegacyHealth },
      },
    },
    async (_request, reply) => {
      const checks = await checkDependencies(services);
      const healthy = allHealthy(checks);
      const now = services.now();
      void reply.code(healthy ? 200 : 503);
      return {
        success: healthy,
        service: "api" as const,
        timestamp: now.toISOString(),
        uptime: (now.getTime() - services.startedAt.getTime()) / 1000,
        status: healthy ? ("healthy" as const) : ("unhealthy" as const),
        checks,
      };
    },
  );
  done();
};
