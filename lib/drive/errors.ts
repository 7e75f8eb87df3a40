/**
 * Every way a Drive call can fail, as one typed error. The kinds follow DRIVE.md's table; callers decide on
 * `kind` (skip the file, fail the import, back off) and never parse messages.
 */
export const DriveErrorKind = {
  /** The API key is invalid, missing, restricted or its project lacks the Drive API: fix the configuration. */
  Configuration: "configuration",
  /** 403 user/rateLimitExceeded or 429: slow down and retry. */
  RateLimit: "rateLimit",
  /** 403 dailyLimitExceeded: stop calling until the quota resets and say so on the import. */
  DailyQuota: "dailyQuota",
  /** 403 downloadQuotaExceeded: this one file was downloaded too often; it may work again in hours. */
  DownloadQuota: "downloadQuota",
  /** 403 cannotDownloadAbusiveFile: Drive flagged the file as malware or spam; permanent. */
  AbusiveFile: "abusiveFile",
  /** 403 fileNotDownloadable: a Google Docs editor file or a download-disabled file; skip it. */
  NotDownloadable: "notDownloadable",
  /** 404: not shared publicly, a wrong id, a missing resource key, or the item is gone. */
  NotFound: "notFound",
  /** Any other 403: the item is not readable with an API key. */
  AccessDenied: "accessDenied",
  /** Any other 4xx: a request Drive will never accept as sent. */
  InvalidRequest: "invalidRequest",
  /** 5xx, 408, network errors, timeouts, resets, stalled or truncated downloads: retry with backoff. */
  Transient: "transient",
  /** The caller's AbortSignal fired. */
  Aborted: "aborted",
  /** Anything else (a bug or a surprise); not retried. */
  Unexpected: "unexpected",
} as const;
export type DriveErrorKind = (typeof DriveErrorKind)[keyof typeof DriveErrorKind];

export interface DriveErrorFields {
  kind: DriveErrorKind;
  /** The HTTP status, when Drive answered. */
  status?: number;
  /** Drive's reason (`userRateLimitExceeded`, `notFound`, ...) or, without an answer, the failure's code (`ECONNRESET`, `timeout`, `stalled`). */
  reason: string;
  message: string;
  /** Whether retrying the same call soon may succeed. */
  retryable: boolean;
  /** How long Drive asked us to wait (`Retry-After`). */
  retryAfterMs?: number;
}

/** A classified Drive failure. Its message never contains the API key. */
export class DriveError extends Error {
  override readonly name = "DriveError";
  readonly kind: DriveErrorKind;
  readonly status: number | undefined;
  readonly reason: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(fields: DriveErrorFields) {
    super(scrubApiKey(fields.message));
    this.kind = fields.kind;
    this.status = fields.status;
    this.reason = fields.reason;
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** Removes the value of every `key=` query parameter (the API key rides in the URL) from `text`. */
export function scrubApiKey(text: string): string {
  return text.replace(/((?:^|[?&;\s]|%3F|%26)key(?:=|%3D))[^&\s"'#%]*/gi, "$1REDACTED");
}

const rateLimitReasons = new Set(["userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"]);
const configurationReasons = new Set([
  "keyInvalid",
  "keyExpired",
  "API_KEY_INVALID",
  "API_KEY_SERVICE_BLOCKED",
  "API_KEY_HTTP_REFERRER_BLOCKED",
  "API_KEY_IP_ADDRESS_BLOCKED",
  "accessNotConfigured",
  "SERVICE_DISABLED",
  "ipRefererBlocked",
]);
// Reasons with a kind of their own, looked up before the status decides.
const kindByReason = new Map<string, DriveErrorKind>([
  ["dailyLimitExceeded", DriveErrorKind.DailyQuota],
  ["downloadQuotaExceeded", DriveErrorKind.DownloadQuota],
  ["cannotDownloadAbusiveFile", DriveErrorKind.AbusiveFile],
  ["fileNotDownloadable", DriveErrorKind.NotDownloadable],
  ...[...rateLimitReasons].map((reason) => [reason, DriveErrorKind.RateLimit] as const),
  ...[...configurationReasons].map((reason) => [reason, DriveErrorKind.Configuration] as const),
]);

// Error codes of failures without an HTTP answer that a later attempt may not meet.
const transientCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ERR_STREAM_PREMATURE_CLOSE",
  "TimeoutError",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

const headlines: Record<DriveErrorKind, string> = {
  configuration:
    "Drive rejected the API key; check the key in the Secret, that its restrictions allow the Drive API from this server, and that the Drive API is enabled in its Google Cloud project",
  rateLimit: "Drive's rate limit for this API key was exceeded",
  dailyQuota:
    "the API key's daily Drive quota is used up; calls resume when it resets (midnight Pacific time) or after raising the quota in the Google Cloud console",
  downloadQuota:
    "Drive's download quota for this file is exceeded (it was downloaded too often); retry it in a few hours",
  abusiveFile: "Drive flagged this file as malware or spam and refuses to serve it",
  notDownloadable:
    "Drive cannot serve this item's bytes (a Google Docs editor file, or downloads are disabled)",
  notFound: "Drive found no such item for this API key",
  accessDenied: "Drive denied access; the item must be shared as 'Anyone with the link'",
  invalidRequest: "Drive rejected the request",
  transient: "Drive could not be reached or failed for now",
  aborted: "the Drive call was aborted",
  unexpected: "unexpected failure calling Drive",
};

interface ApiErrorBody {
  message?: string;
  reasons: string[];
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  status?: unknown;
  name?: unknown;
  type?: unknown;
  cause?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

/**
 * Classifies any failure of a Drive call: a gaxios error with Drive's JSON body, a streamed download's
 * error (whose body arrives only in `message`), a network error, a timeout. `now` dates `Retry-After`.
 */
export function classifyDriveError(error: unknown, now: number = Date.now()): DriveError {
  if (error instanceof DriveError) return error;
  const err = (typeof error === "object" && error !== null ? error : { message: String(error) }) as ErrorLike;
  const status =
    typeof err.response?.status === "number" ? err.response.status : numberOrUndefined(err.status);
  if (status !== undefined && status >= 400) return classifyHttpError(err, status, now);
  return classifyNetworkError(err);
}

function classifyHttpError(err: ErrorLike, status: number, now: number): DriveError {
  const body = apiErrorBody(err);
  const known = body.reasons.find((reason) => kindByReason.has(reason));
  const reason = known ?? body.reasons[0] ?? `http${status}`;
  const kind = kindByReason.get(reason) ?? kindByStatus(status, reason, body.message);
  const retryAfterMs = parseRetryAfter(headerValue(err.response?.headers, "retry-after"), now);
  const detail = body.message ?? (typeof err.message === "string" ? err.message : "");
  return new DriveError({
    kind,
    status,
    reason,
    message: `${headlines[kind]} (HTTP ${status} ${reason}): ${detail}`,
    retryable: kind === DriveErrorKind.RateLimit || kind === DriveErrorKind.Transient,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function kindByStatus(status: number, reason: string, message: string | undefined): DriveErrorKind {
  if (status === 429) return DriveErrorKind.RateLimit;
  if (status === 408 || status >= 500) return DriveErrorKind.Transient;
  if (status === 404) return DriveErrorKind.NotFound;
  if (status === 401) return DriveErrorKind.Configuration;
  // Drive answers a request without a usable key with 403 `forbidden` "...missing a valid API key".
  if (status === 403)
    return /api key/i.test(message ?? reason) ? DriveErrorKind.Configuration : DriveErrorKind.AccessDenied;
  return DriveErrorKind.InvalidRequest;
}

function classifyNetworkError(err: ErrorLike): DriveError {
  const code = errorCode(err);
  const message = typeof err.message === "string" ? err.message : "";
  const transient =
    (code !== undefined && transientCodes.has(code)) ||
    err.type === "system" ||
    /premature close|socket hang up|terminated|network|timed? ?out/i.test(message);
  const kind = transient ? DriveErrorKind.Transient : DriveErrorKind.Unexpected;
  const reason = code ?? (transient ? "network" : "unknown");
  return new DriveError({
    kind,
    reason,
    message: `${headlines[kind]} (${reason}): ${message}`,
    retryable: transient,
  });
}

/** The code of `err` or of the error it wraps (gaxios keeps node-fetch's system error as its cause). */
function errorCode(err: ErrorLike): string | undefined {
  for (
    let current: unknown = err, depth = 0;
    depth < 4 && typeof current === "object" && current !== null;
    depth++
  ) {
    const { code, name, cause } = current as ErrorLike;
    if (typeof code === "string" && code !== "") return code;
    if (name === "TimeoutError") return "TimeoutError";
    current = cause;
  }
  return undefined;
}

/** Drive's error body from wherever this failure carries it: the parsed data, or JSON text in the message. */
function apiErrorBody(err: ErrorLike): ApiErrorBody {
  for (const candidate of [err.response?.data, err.message, err.cause]) {
    const parsed = typeof candidate === "string" ? parseJson(candidate) : candidate;
    const body = (parsed as { error?: unknown } | undefined)?.error;
    if (typeof body !== "object" || body === null) continue;
    const { message, errors, details, status } = body as {
      message?: unknown;
      errors?: unknown;
      details?: unknown;
      status?: unknown;
    };
    // Older APIs name the reason in errors[].reason, newer ones in details[].reason (ErrorInfo).
    const reasons = [errors, details]
      .flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []))
      .map((entry) => (entry as { reason?: unknown } | null)?.reason)
      .filter((reason): reason is string => typeof reason === "string" && reason !== "");
    if (typeof status === "string" && status !== "") reasons.push(status);
    return { reasons, ...(typeof message === "string" ? { message } : {}) };
  }
  return { reasons: [] };
}

function parseJson(text: string): unknown {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}

/** A header of a gaxios response, whether it came as a Headers object or a plain record. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** The error for a call the caller aborted. */
export function abortedError(): DriveError {
  return new DriveError({
    kind: DriveErrorKind.Aborted,
    reason: "aborted",
    message: headlines.aborted,
    retryable: false,
  });
}

/** The error for a call or a download that made no progress for `afterMs` ms. */
export function timeoutError(reason: "timeout" | "stalled", afterMs: number): DriveError {
  const what = reason === "timeout" ? "got no answer" : "sent no bytes";
  return new DriveError({
    kind: DriveErrorKind.Transient,
    reason,
    message: `${headlines.transient} (${reason}): Drive ${what} for ${afterMs} ms`,
    retryable: true,
  });
}

/** The error for a download whose body ended before Content-Length bytes arrived. */
export function truncatedError(received: number, expected: number): DriveError {
  return new DriveError({
    kind: DriveErrorKind.Transient,
    reason: "truncated",
    message: `${headlines.transient} (truncated): the download ended after ${received} of ${expected} bytes`,
    retryable: true,
  });
}
