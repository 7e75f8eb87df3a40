import { inClusterServer, type InClusterServer } from "../lib/controller-runtime/index.ts";
import type { DatabaseOptions } from "../lib/db/index.ts";
import type { LogLevel } from "../lib/log/index.ts";
import type { S3Settings } from "../lib/storage/index.ts";
import type { AppSettings } from "./app.ts";

/** The API process's whole configuration, read from the environment once, in main.ts. */
export interface ApiConfig {
  listen: { host: string; port: number };
  database: DatabaseOptions;
  /** A kubeconfig file; undefined means the in-cluster ServiceAccount. */
  kubeconfigPath: string | undefined;
  /** The API server the kubelet names in every pod (KUBERNETES_SERVICE_HOST/PORT), used without a kubeconfig. */
  inClusterServer: InClusterServer | undefined;
  s3: S3Settings;
  app: AppSettings;
}

/** Thrown with every problem found, each naming its variable, so one run shows them all. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads typed values, collecting problems instead of stopping at the first. Secret values are never echoed. */
class EnvReader {
  readonly problems: string[] = [];
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  optional(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  required(name: string, hint: string): string {
    const value = this.optional(name);
    if (value === undefined) this.problems.push(`${name} is required: ${hint}`);
    return value ?? "";
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "false") return raw === "true";
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${values.join(", ")} (got "${raw}")`);
    return fallback;
  }

  check(ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem);
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];
const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const minStaticTokenLength = 32;

/** Builds the configuration from environment variables; throws ConfigError naming every bad one. */
export function loadConfig(env: Env): ApiConfig {
  const read = new EnvReader(env);

  const databaseUrl = read.required(
    "DATABASE_URL",
    "the PostgreSQL URL, e.g. postgres://user:pass@host:5432/imagesync",
  );
  read.check(
    databaseUrl === "" || /^postgres(ql)?:\/\//.test(databaseUrl),
    "DATABASE_URL must be a postgres:// or postgresql:// URL",
  );

  const staticToken = read.optional("API_STATIC_TOKEN");
  read.check(
    staticToken === undefined || staticToken.length >= minStaticTokenLength,
    `API_STATIC_TOKEN must be at least ${minStaticTokenLength} characters (e.g. openssl rand -hex 24)`,
  );

  const defaultNamespace = read.string("API_DEFAULT_NAMESPACE", "default");
  read.check(
    namespacePattern.test(defaultNamespace) && defaultNamespace.length <= 63,
    `API_DEFAULT_NAMESPACE must be a Kubernetes namespace name (got "${defaultNamespace}")`,
  );

  const corsOrigins = (read.optional("API_CORS_ORIGINS") ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of corsOrigins) {
    read.check(
      origin === "*" || (isHttpUrl(origin) && new URL(origin).origin === origin),
      `API_CORS_ORIGINS must list origins like https://app.example.com (scheme, host, optional port), or *; "${origin}" is not one`,
    );
  }

  const publicBaseUrl = read.optional("S3_PUBLIC_BASE_URL");
  read.check(
    publicBaseUrl === undefined || isHttpUrl(publicBaseUrl.replaceAll("{bucket}", "bucket")),
    "S3_PUBLIC_BASE_URL must be an http(s) URL, optionally with {bucket}, e.g. https://cdn.example.com/{bucket}/",
  );
  const endpoint = read.optional("S3_ENDPOINT");
  read.check(
    endpoint === undefined || isHttpUrl(endpoint),
    "S3_ENDPOINT must be an http(s) URL, e.g. http://minio:9000",
  );

  const accessKeyId = read.optional("AWS_ACCESS_KEY_ID");
  const secretAccessKey = read.optional("AWS_SECRET_ACCESS_KEY");
  read.check(
    (accessKeyId === undefined) === (secretAccessKey === undefined),
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither to use the SDK's default credentials (web identity, instance role)",
  );

  const config: ApiConfig = {
    listen: {
      host: read.string("API_HOST", "0.0.0.0"),
      port: read.integer("API_PORT", 8080, 1, 65_535),
    },
    database: {
      url: databaseUrl,
      maxConnections: read.integer("API_DATABASE_MAX_CONNECTIONS", 10, 1, 500),
      statementTimeoutMs: read.integer("API_DATABASE_STATEMENT_TIMEOUT_MS", 10_000, 100, 600_000),
      applicationName: "imagesync-api",
    },
    kubeconfigPath: read.optional("KUBECONFIG"),
    inClusterServer: inClusterServer(env),
    s3: {
      ...(endpoint === undefined ? {} : { endpoint }),
      region: read.string("S3_REGION", "us-east-1"),
      forcePathStyle: read.boolean("S3_FORCE_PATH_STYLE", false),
      checksums: read.oneOf("S3_CHECKSUMS", ["WHEN_SUPPORTED", "WHEN_REQUIRED"] as const, "WHEN_SUPPORTED"),
      ...(accessKeyId === undefined || secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId, secretAccessKey } }),
      requestTimeoutMs: 10_000,
    },
    app: {
      logLevel: read.oneOf("LOG_LEVEL", logLevels, "info"),
      staticToken,
      defaultNamespace,
      authCacheTtlMs: read.integer("API_AUTH_CACHE_SECONDS", 10, 0, 300) * 1000,
      kubernetesTimeoutMs: read.integer("API_KUBERNETES_TIMEOUT_MS", 10_000, 100, 120_000),
      bodyLimitBytes: read.integer("API_BODY_LIMIT_BYTES", 65_536, 1_024, 10_485_760),
      rateLimitPerMinute: read.integer("API_RATE_LIMIT_PER_MINUTE", 600, 0, 1_000_000),
      corsOrigins,
      trustProxy: read.boolean("API_TRUST_PROXY", false),
      eventStreamKeepAliveMs: read.integer("API_EVENT_STREAM_KEEPALIVE_SECONDS", 15, 1, 300) * 1000,
      publicBaseUrl,
      presignTtlSeconds: read.integer("API_PRESIGN_TTL_SECONDS", 300, 1, 604_800),
    },
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/**
 * The app's settings with production's defaults, changed by `env`'s variables: for code that builds the app
 * inside its own process (tests, the benchmark) and so has no database URL or listener of its own to read.
 */
export function appSettingsFrom(env: Env): AppSettings {
  return loadConfig({ DATABASE_URL: "postgres://in-process", ...env }).app;
}
