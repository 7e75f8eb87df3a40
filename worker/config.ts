import type { S3Settings } from "../lib/storage/index.ts";
import type { LogLevel } from "../lib/log/index.ts";
import { defaultDriveRootUrl, defaultPacerOptions } from "../lib/drive/index.ts";
import { queueTopology } from "../lib/queue/index.ts";

/** Everything a worker process is told from outside; built once in main.ts from the environment. */
export interface WorkerConfig {
  databaseUrl: string;
  databaseMaxConnections: number;
  natsUrl: string;
  s3: S3Settings;
  metricsPort: number;
  logLevel: LogLevel;
  /** How long SIGTERM waits for files in flight before handing them back to the queue. */
  shutdownGraceMs: number;
  pipeline: PipelineSettings;
}

/** How the worker moves files, whatever it is connected to. */
export interface PipelineSettings {
  queuePrefix: string;
  /** Files in flight in this process. */
  concurrency: number;
  /** Bytes per multipart part: memory per file in flight is about (uploadQueueSize + 1) parts. */
  partSizeBytes: number;
  /** Parts of one file uploaded at once. */
  uploadQueueSize: number;
  drive: {
    rootUrl: string;
    /** The worker-wide API key, for imports that handed over none. Never logged. */
    defaultApiKey: string | undefined;
    /** The token bucket per API key: requests per second and burst. */
    requestsPerSecond: number;
    burst: number;
    /** A download that sends no bytes for this long is abandoned and retried. */
    stallTimeoutMs: number;
  };
  /** Delay before the first redelivery of a transiently failed file; it doubles per attempt up to the max. */
  retry: { initialDelayMs: number; maxDelayMs: number };
}

export type Environment = Readonly<Record<string, string | undefined>>;

const mib = 1024 * 1024;

/** Builds the worker's configuration from `env`, reporting every bad variable at once, each by name. */
export function parseWorkerConfig(env: Environment): WorkerConfig {
  const read = new EnvReader(env);
  const accessKeyId = read.optionalString("AWS_ACCESS_KEY_ID");
  const secretAccessKey = read.optionalString("AWS_SECRET_ACCESS_KEY");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    read.problems.push(
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither, to use the SDK's default credential chain)",
    );
  }
  const endpoint = read.optionalUrl("S3_ENDPOINT");
  const config: WorkerConfig = {
    databaseUrl: read.requiredString("DATABASE_URL"),
    databaseMaxConnections: read.integer("DATABASE_MAX_CONNECTIONS", 10, 1, 500),
    natsUrl: read.requiredString("NATS_URL"),
    s3: {
      ...(endpoint === undefined ? {} : { endpoint }),
      region: read.optionalString("S3_REGION") ?? "us-east-1",
      forcePathStyle: read.boolean("S3_FORCE_PATH_STYLE", false),
      checksums: read.oneOf("S3_CHECKSUMS", ["WHEN_SUPPORTED", "WHEN_REQUIRED"], "WHEN_SUPPORTED"),
      ...(accessKeyId !== undefined && secretAccessKey !== undefined
        ? { credentials: { accessKeyId, secretAccessKey } }
        : {}),
    },
    metricsPort: read.integer("METRICS_PORT", 9090, 0, 65_535),
    logLevel: read.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error", "silent"], "info"),
    shutdownGraceMs: read.integer("WORKER_SHUTDOWN_GRACE_SECONDS", 25, 0, 3600) * 1000,
    pipeline: {
      queuePrefix: read.optionalString("IMAGESYNC_QUEUE_PREFIX") ?? "imagesync",
      concurrency: read.integer("WORKER_CONCURRENCY", 16, 1, 1024),
      partSizeBytes: read.integer("S3_PART_SIZE_MIB", 8, 5, 512) * mib,
      uploadQueueSize: read.integer("S3_PART_CONCURRENCY", 2, 1, 16),
      drive: {
        rootUrl: read.optionalUrl("DRIVE_API_ROOT_URL") ?? defaultDriveRootUrl,
        defaultApiKey: read.optionalString("DRIVE_API_KEY"),
        requestsPerSecond: read.number(
          "DRIVE_REQUESTS_PER_SECOND",
          defaultPacerOptions.ratePerSecond,
          0.1,
          100_000,
        ),
        burst: read.integer("DRIVE_BURST", defaultPacerOptions.burst, 1, 100_000),
        stallTimeoutMs: read.integer("DRIVE_STALL_TIMEOUT_SECONDS", 60, 1, 3600) * 1000,
      },
      retry: {
        initialDelayMs: read.integer("WORKER_RETRY_INITIAL_SECONDS", 5, 0, 3600) * 1000,
        maxDelayMs: read.integer("WORKER_RETRY_MAX_SECONDS", 300, 1, 86_400) * 1000,
      },
    },
  };
  try {
    queueTopology(config.pipeline.queuePrefix);
  } catch (error) {
    read.problems.push(`IMAGESYNC_QUEUE_PREFIX: ${(error as Error).message}`);
  }
  if (read.problems.length > 0) {
    throw new Error(`the worker's environment is not usable:\n  - ${read.problems.join("\n  - ")}`);
  }
  return config;
}

/** Reads typed values from the environment, collecting a problem per bad variable instead of stopping at the first. */
class EnvReader {
  readonly problems: string[] = [];
  readonly #env: Environment;

  constructor(env: Environment) {
    this.#env = env;
  }

  optionalString(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) this.problems.push(`${name} is required`);
    return value ?? "";
  }

  optionalUrl(name: string): string | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!URL.canParse(value)) this.problems.push(`${name} must be an absolute URL, got "${value}"`);
    return value;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.optionalString(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.optionalString(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.optionalString(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.optionalString(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")}, got "${value}"`);
    return fallback;
  }
}
