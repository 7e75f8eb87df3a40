import type { LogLevel } from "../lib/log/index.ts";
import { inClusterServer, type InClusterServer } from "../lib/controller-runtime/index.ts";
import { defaultDriveRootUrl } from "../lib/drive/index.ts";

/** The operator's settings, read once from the environment by main.ts. */
export interface OperatorConfig {
  /** A kubeconfig file; in-cluster service-account credentials when absent. */
  kubeconfigPath: string | undefined;
  /** The API server the kubelet names in every pod (KUBERNETES_SERVICE_HOST/PORT), used without a kubeconfig. */
  inClusterServer: InClusterServer | undefined;
  databaseUrl: string;
  natsUrl: string;
  queuePrefix: string;
  drive: {
    rootUrl: string;
    /** The installation's API key, for imports that name no Secret. Never logged. */
    defaultApiKey: string | undefined;
    requestsPerSecond: number;
    burst: number;
  };
  defaultBucket: string;
  /** Only ImageImports in these namespaces are reconciled; every namespace when absent. */
  watchNamespaces: string[] | undefined;
  leaderElection: {
    enabled: boolean;
    namespace: string;
    name: string;
    /** Unique per process. */
    identity: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  bindAddress: string | undefined;
  metricsPort: number;
  healthPort: number;
  workerAutoscaling: WorkerAutoscalingConfig | undefined;
  /** S3 settings for the bucket reachability check; the check is off without them. */
  s3: S3CheckConfig | undefined;
  logLevel: LogLevel;
}

export interface WorkerAutoscalingConfig {
  namespace: string;
  deployment: string;
  minReplicas: number;
  maxReplicas: number;
  /** Backlog (tasks waiting or in flight) one worker replica is sized for. */
  targetTasksPerReplica: number;
  /** How long a lower replica count must be recommended before scaling down (HPA's stabilization window). */
  scaleDownStabilizationMs: number;
  intervalMs: number;
}

export interface S3CheckConfig {
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  checksums: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** A configuration problem, naming the variable and what it must hold. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/**
 * Builds the operator's configuration from environment variables. Every error names the variable and
 * what it must hold; all problems are reported at once.
 */
export function loadOperatorConfig(env: Environment, hostname = "operator"): OperatorConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const config: OperatorConfig = {
    kubeconfigPath: read.optional("KUBECONFIG"),
    inClusterServer: inClusterServer(env),
    databaseUrl: read.required("DATABASE_URL", "a PostgreSQL URL, e.g. postgres://user@host:5432/imagesync"),
    natsUrl: read.required("NATS_URL", "a NATS URL, e.g. nats://nats:4222"),
    queuePrefix: read.pattern(
      "IMAGESYNC_QUEUE_PREFIX",
      /^[a-z][a-z0-9-]{0,40}$/,
      "lowercase letters, digits and '-', starting with a letter",
      "imagesync",
    ),
    drive: {
      rootUrl: read.url("DRIVE_API_ROOT_URL", defaultDriveRootUrl),
      defaultApiKey: read.optional("DRIVE_API_KEY"),
      requestsPerSecond: read.number("DRIVE_REQUESTS_PER_SECOND", 10, { min: 0.1 }),
      burst: read.number("DRIVE_BURST", 100, { min: 1, integer: true }),
    },
    defaultBucket: read.required("DEFAULT_BUCKET", "the S3 bucket imports use when they name none"),
    watchNamespaces: read.list("WATCH_NAMESPACE"),
    leaderElection: {
      enabled: read.boolean("LEADER_ELECTION", true),
      namespace: read.optional("LEADER_ELECTION_NAMESPACE") ?? read.optional("POD_NAMESPACE") ?? "default",
      name: read.optional("LEADER_ELECTION_ID") ?? "imagesync-operator",
      identity: `${read.optional("POD_NAME") ?? hostname}-${randomSuffix()}`,
      leaseDurationMs: read.number("LEADER_ELECTION_LEASE_DURATION_SECONDS", 15, { min: 1 }) * 1000,
      renewDeadlineMs: read.number("LEADER_ELECTION_RENEW_DEADLINE_SECONDS", 10, { min: 1 }) * 1000,
      retryPeriodMs: read.number("LEADER_ELECTION_RETRY_PERIOD_SECONDS", 2, { min: 0.1 }) * 1000,
    },
    bindAddress: read.optional("BIND_ADDRESS"),
    metricsPort: read.number("METRICS_PORT", 8080, { min: 0, max: 65_535, integer: true }),
    healthPort: read.number("HEALTH_PORT", 8081, { min: 0, max: 65_535, integer: true }),
    workerAutoscaling: readWorkerAutoscaling(read),
    s3: readS3Check(read),
    logLevel: read.oneOf("LOG_LEVEL", logLevels, "info"),
  };
  const autoscaling = config.workerAutoscaling;
  if (autoscaling !== undefined && autoscaling.maxReplicas < autoscaling.minReplicas) {
    problems.push(
      `WORKER_MAX_REPLICAS (${autoscaling.maxReplicas}) must be at least WORKER_MIN_REPLICAS (${autoscaling.minReplicas})`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid operator configuration:\n  ${problems.join("\n  ")}`);
  }
  return config;
}

function readWorkerAutoscaling(read: EnvReader): WorkerAutoscalingConfig | undefined {
  const target = read.optional("WORKER_DEPLOYMENT");
  if (target === undefined) return undefined;
  const match = /^([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})$/.exec(target);
  if (match === null) {
    read.problem(
      "WORKER_DEPLOYMENT must be <namespace>/<name> of the worker Deployment, e.g. imagesync/worker",
    );
    return undefined;
  }
  return {
    namespace: match[1] ?? "",
    deployment: match[2] ?? "",
    minReplicas: read.number("WORKER_MIN_REPLICAS", 1, { min: 0, integer: true }),
    maxReplicas: read.number("WORKER_MAX_REPLICAS", 10, { min: 1, integer: true }),
    targetTasksPerReplica: read.number("WORKER_TARGET_TASKS_PER_REPLICA", 200, { min: 1, integer: true }),
    scaleDownStabilizationMs: read.number("WORKER_SCALE_DOWN_STABILIZATION_SECONDS", 300, { min: 0 }) * 1000,
    intervalMs: read.number("WORKER_AUTOSCALE_INTERVAL_SECONDS", 15, { min: 0.05 }) * 1000,
  };
}

function readS3Check(read: EnvReader): S3CheckConfig | undefined {
  const endpoint = read.optional("S3_ENDPOINT");
  const region = read.optional("S3_REGION");
  if (endpoint === undefined && region === undefined) return undefined;
  const accessKeyId = read.optional("AWS_ACCESS_KEY_ID");
  const secretAccessKey = read.optional("AWS_SECRET_ACCESS_KEY");
  return {
    endpoint,
    region: region ?? "us-east-1",
    forcePathStyle: read.boolean("S3_FORCE_PATH_STYLE", endpoint !== undefined),
    checksums: read.oneOf("S3_CHECKSUMS", ["WHEN_SUPPORTED", "WHEN_REQUIRED"] as const, "WHEN_REQUIRED"),
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey }
        : undefined,
  };
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** Reads variables, collecting problems instead of stopping at the first. */
class EnvReader {
  readonly #env: Environment;
  readonly #problems: string[];

  constructor(env: Environment, problems: string[]) {
    this.#env = env;
    this.#problems = problems;
  }

  problem(message: string): void {
    this.#problems.push(message);
  }

  optional(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  /** A comma-separated list; undefined when unset or empty. */
  list(name: string): string[] | undefined {
    const items = (this.optional(name) ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
    return items.length === 0 ? undefined : items;
  }

  required(name: string, what: string): string {
    const value = this.optional(name);
    if (value === undefined) this.#problems.push(`${name} is required: ${what}`);
    return value ?? "";
  }

  pattern(name: string, pattern: RegExp, what: string, fallback: string): string {
    const value = this.optional(name) ?? fallback;
    if (!pattern.test(value)) this.#problems.push(`${name} must be ${what}, got "${value}"`);
    return value;
  }

  url(name: string, fallback: string): string {
    const value = this.optional(name) ?? fallback;
    try {
      const url = new URL(value);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
      // The Drive client appends `drive/v3/...` to the root, which must therefore end in '/'.
      return value.endsWith("/") ? value : `${value}/`;
    } catch {
      this.#problems.push(`${name} must be an http(s) URL such as ${fallback}, got "${value}"`);
      return fallback;
    }
  }

  number(name: string, fallback: number, limits: { min?: number; max?: number; integer?: boolean }): number {
    const text = this.optional(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false } = limits;
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const kind = integer ? "a whole number" : "a number";
      const range = [
        min > Number.NEGATIVE_INFINITY ? `≥ ${min}` : "",
        max < Number.POSITIVE_INFINITY ? `≤ ${max}` : "",
      ]
        .filter((part) => part !== "")
        .join(" and ");
      this.#problems.push(`${name} must be ${kind}${range === "" ? "" : ` ${range}`}, got "${text}"`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.optional(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (text === "true" || text === "1") return true;
    if (text === "false" || text === "0") return false;
    this.#problems.push(`${name} must be true or false, got "${text}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.optional(name);
    if (text === undefined) return fallback;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.#problems.push(`${name} must be one of ${allowed.join(", ")}, got "${text}"`);
    return fallback;
  }
}
