import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

/** The OpenAPI document at /openapi.json (built from the routes' schemas) and Swagger UI at /docs. */
export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "ImageSync API",
        version,
        description:
          "Start, watch and cancel imports of Google Drive folders (ImageImport resources) and browse the imported images. Every /api route except /api/health needs a Kubernetes bearer token; RBAC on imageimports.imagesync.io decides what it may do.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
      tags: [
        { name: "imports", description: "ImageImport resources" },
        { name: "images", description: "The image catalogue" },
        { name: "legacy", description: "The older system's routes, kept for its clients" },
        { name: "health", description: "Probes" },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { deepLinking: true } });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());
}
