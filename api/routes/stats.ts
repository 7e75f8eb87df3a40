import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Services } from "../services.ts";
import { legacyErrorResponses, NamespaceName } from "../schemas/common.ts";
import { StatsEnvelope } from "../schemas/stats.ts";
import { catalogueStats } from "../stats/stats-queries.ts";
import { readableNamespaces } from "../visibility.ts";

/** GET /api/stats: the older route's figures and more, over the namespaces the caller may list. */
export const statsRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  app.get(
    "/api/stats",
    {
      config: { legacy: true },
      schema: {
        tags: ["images", "legacy"],
        summary: "Catalogue totals: images, bytes, by source and MIME type; imports by state; last import",
        querystring: Type.Object(
          { namespace: Type.Optional(NamespaceName) },
          { additionalProperties: false },
        ),
        response: { 200: StatsEnvelope, ...legacyErrorResponses(400, 403) },
      },
    },
    async (request) => {
      const namespaces = await readableNamespaces(
        services.authorizer,
        services.db,
        request.principal,
        request.query.namespace,
      );
      const stats = await catalogueStats(services.db, namespaces);
      return {
        success: true as const,
        stats: {
          totalImages: stats.totalImages,
          totalSize: stats.totalBytes,
          sources: stats.bySource,
          lastImport: stats.lastImport?.toISOString() ?? null,
          byMimeType: stats.byMimeType,
          importsByState: stats.importsByState,
          totalImports: stats.totalImports,
        },
      };
    },
  );
  done();
};
