import { pino } from "pino";

/** Structured JSON logging: one line per event, fields not prose. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

// Field names that may carry secrets: pino replaces their values wherever they appear.
const redactedPaths = [
  "apiKey",
  "*.apiKey",
  "driveApiKey",
  "*.driveApiKey",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "secretAccessKey",
  "*.secretAccessKey",
  "password",
  "*.password",
];

function wrap(base: pino.Logger): Logger {
  return {
    debug: (message, fields) => base.debug(fields ?? {}, message),
    info: (message, fields) => base.info(fields ?? {}, message),
    warn: (message, fields) => base.warn(fields ?? {}, message),
    error: (message, fields) => base.error(fields ?? {}, message),
    child: (fields) => wrap(base.child(fields)),
  };
}

/** A JSON logger for one process (`component`: operator, worker, api, ...), writing to stdout. */
export function createLogger(component: string, level: LogLevel = "info"): Logger {
  return wrap(
    pino({
      level,
      base: { component },
      redact: { paths: redactedPaths, censor: "[redacted]" },
      // An Error under either name keeps its type, message, code and stack (JSON.stringify would print {}).
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    }),
  );
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger("silent", "silent");
