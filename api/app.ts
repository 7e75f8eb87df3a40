import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { S3Client } from "@aws-sdk/client-s3";
import Fastify, { type FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { DestinationStream } from "pino";
import type { KubeClient } from "../lib/controller-runtime/index.ts";
import type { Database } from "../lib/db/index.ts";
import type { LogLevel } from "../lib/log/index.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { Authorizer } from "./auth/authorizer.ts";
import { ApiErrors } from "./errors.ts";
import { ObjectUrls } from "./images/object-urls.ts";
import { ImageImportClient } from "./kubernetes/image-imports.ts";
import { AccessLog } from "./plugins/access-log.ts";
import { installAuthentication } from "./plugins/auth.ts";
import { installErrorHandling } from "./plugins/error-handler.ts";
import { ApiMetrics, installMetrics } from "./plugins/metrics.ts";
import { installOpenApi } from "./plugins/openapi.ts";
import { validatorCompiler } from "./plugins/validator.ts";
import { healthRoutes } from "./routes/health.ts";
import { importActionRoutes } from "./routes/import-actions.ts";
import { importEventRoutes } from "./routes/import-events.ts";
import { importRoutes } from "./routes/imports.ts";
import { imageRoutes } from "./routes/images.ts";
import { legacyImportRoutes } from "./routes/legacy-imports.ts";
import { statsRoutes } from "./routes/stats.ts";
import type { Services } from "./services.ts";

/** How the API behaves; main.ts builds it from the environment (api/config.ts). */
export interface AppSettings {
  logLevel: LogLevel;
  /** Whoever presents this bearer token is an admin (local use); undefined switches it off. */
  staticToken: string | undefined;
  /** Where POST /api/import/google-drive (and POST /api/imports without a namespace) create imports. */
  defaultNamespace: string;
  /** How long an accepted token and an allowed access review are remembered. */
  authCacheTtlMs: number;
  kubernetesTimeoutMs: number;
  bodyLimitBytes: number;
  /** Requests per minute per client address; 0 switches rate limiting off. */
  rateLimitPerMinute: number;
  /** Origins allowed by CORS; empty switches CORS off. */
  corsOrigins: string[];
  /** Trust X-Forwarded-For from a proxy in front (for rate limiting by client address). */
  trustProxy: boolean;
  eventStreamKeepAliveMs: number;
  /** A public URL base for objects ({bucket} is replaced); undefined means presigned URLs. */
  publicBaseUrl: string | undefined;
  presignTtlSeconds: number;
}

/** Everything the API talks to, made by main.ts (or a test) and handed in. */
export interface AppDeps {
  settings: AppSettings;
  db: Kysely<Database>;
  /** The API's own identity: it creates, reads and watches ImageImports and asks for reviews with it. */
  kube: KubeClient;
  s3: S3Client;
  /** Where objects live, for presigned URLs. */
  storage: { endpoint: string | undefined; region: string; forcePathStyle: boolean };
  now?: () => Date;
  /** Where JSON log lines go; stdout by default. */
  logStream?: DestinationStream;
}

export const apiVersion = "0.1.0";

/** Builds the fastify application: plugins, routes and their services. Call `listen` (or `inject`) on it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  const clock = () => now().getTime();

  const app = Fastify({
    logger: {
      level: settings.logLevel,
      base: { component: "api" },
      redact: { paths: ["req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
      ...(deps.logStream === undefined ? {} : { stream: deps.logStream }),
    },
    logController: new AccessLog(),
    bodyLimit: settings.bodyLimitBytes,
    trustProxy: settings.trustProxy,
  })
    .setValidatorCompiler(validatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>();

  const metrics = new ApiMetrics();
  const services: Services = {
    db: deps.db,
    s3: deps.s3,
    imports: new ImageImportClient(deps.kube, settings.kubernetesTimeoutMs),
    authorizer: new Authorizer({
      kube: deps.kube,
      cacheTtlMs: settings.authCacheTtlMs,
      kubernetesTimeoutMs: settings.kubernetesTimeoutMs,
      now: clock,
    }),
    objectUrls: new ObjectUrls({
      ...deps.storage,
      publicBaseUrl: settings.publicBaseUrl,
      presignTtlSeconds: settings.presignTtlSeconds,
      credentials: () => deps.s3.config.credentials(),
    }),
    metrics,
    defaultNamespace: settings.defaultNamespace,
    eventStreamKeepAliveMs: settings.eventStreamKeepAliveMs,
    now,
    startedAt: now(),
  };

  installErrorHandling(app, settings.bodyLimitBytes);
  if (settings.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: settings.corsOrigins.includes("*") ? "*" : settings.corsOrigins,
      methods: ["GET", "POST", "DELETE"],
      allowedHeaders: ["authorization", "content-type"],
      maxAge: 600,
    });
  }
  if (settings.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: settings.rateLimitPerMinute,
      timeWindow: 60_000,
      // Only /api routes count; probes, metrics and docs are never throttled.
      allowList: (request) => !request.url.startsWith("/api/"),
      errorResponseBuilder: (_request, context) =>
        ApiErrors.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  }
  installMetrics(app, metrics);
  installAuthentication(
    app,
    new Authenticator({
      kube: deps.kube,
      staticToken: settings.staticToken,
      cacheTtlMs: settings.authCacheTtlMs,
      kubernetesTimeoutMs: settings.kubernetesTimeoutMs,
      now: clock,
    }),
  );
  await installOpenApi(app, apiVersion);

  for (const routes of [
    healthRoutes,
    importRoutes,
    importActionRoutes,
    importEventRoutes,
    imageRoutes,
    statsRoutes,
    legacyImportRoutes,
  ]) {
    await app.register(routes, { services });
  }
  await app.ready();
  return app;
}
