/**
 * Every error the fake answers, in Drive's body shape:
 * {"error":{"code","message","errors":[{"message","domain","reason",…}],"status"}}.
 * Reasons, domains and messages are the ones Drive sends (see /work/shared/DRIVE.md).
 */

/** Errors a fault rule can inject, named after Drive's reason (with the status when one reason has two). */
export const INJECTABLE_ERRORS = [
  "keyInvalid",
  "forbidden",
  "userRateLimitExceeded",
  "rateLimitExceeded",
  "rateLimitExceeded429",
  "dailyLimitExceeded",
  "downloadQuotaExceeded",
  "cannotDownloadAbusiveFile",
  "cannotDownloadFile",
  "fileNotDownloadable",
  "notFound",
  "internalError",
  "backendError",
  "serviceUnavailable",
] as const;

export type InjectableError = (typeof INJECTABLE_ERRORS)[number];

/** Errors the fake answers on its own: bad parameters, ranges, write methods. */
type RequestError = "invalidParameter" | "invalidFieldSelection" | "rangeNotSatisfiable" | "loginRequired";

export type DriveErrorName = InjectableError | RequestError;

interface ErrorSpec {
  code: number;
  status: string;
  reason: string;
  domain: string;
  /** The message; `detail` is the file id, parameter value or field the error is about. */
  message: (detail: string) => string;
  /** Where the problem is, as Drive reports it (`detail` names the parameter when this is "detail"). */
  location?: { name: string; type: "parameter" | "header" };
}

const SPECS: Record<DriveErrorName, ErrorSpec> = {
  keyInvalid: {
    code: 400,
    status: "INVALID_ARGUMENT",
    reason: "badRequest",
    domain: "global",
    message: () => "API key not valid. Please pass a valid API key.",
  },
  forbidden: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "forbidden",
    domain: "global",
    message: () => "The request is missing a valid API key.",
  },
  userRateLimitExceeded: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "userRateLimitExceeded",
    domain: "usageLimits",
    message: () => "User Rate Limit Exceeded",
  },
  rateLimitExceeded: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "rateLimitExceeded",
    domain: "usageLimits",
    message: () => "Rate Limit Exceeded",
  },
  rateLimitExceeded429: {
    code: 429,
    status: "RESOURCE_EXHAUSTED",
    reason: "rateLimitExceeded",
    domain: "usageLimits",
    message: () => "Rate Limit Exceeded",
  },
  dailyLimitExceeded: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "dailyLimitExceeded",
    domain: "usageLimits",
    message: () => "Daily Limit Exceeded",
  },
  downloadQuotaExceeded: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "downloadQuotaExceeded",
    domain: "global",
    message: () => "The download quota for this file has been exceeded.",
  },
  cannotDownloadAbusiveFile: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "cannotDownloadAbusiveFile",
    domain: "global",
    message: () => "This file has been identified as malware or spam and cannot be downloaded.",
  },
  cannotDownloadFile: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "cannotDownloadFile",
    domain: "global",
    message: () => "The user does not have sufficient permissions for this file.",
  },
  fileNotDownloadable: {
    code: 403,
    status: "PERMISSION_DENIED",
    reason: "fileNotDownloadable",
    domain: "global",
    message: () => "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
    location: { name: "alt", type: "parameter" },
  },
  notFound: {
    code: 404,
    status: "NOT_FOUND",
    reason: "notFound",
    domain: "global",
    message: (fileId) => `File not found: ${fileId}.`,
    location: { name: "fileId", type: "parameter" },
  },
  internalError: {
    code: 500,
    status: "INTERNAL",
    reason: "internalError",
    domain: "global",
    message: () => "Internal Error",
  },
  backendError: {
    code: 500,
    status: "INTERNAL",
    reason: "backendError",
    domain: "global",
    message: () => "Backend Error",
  },
  serviceUnavailable: {
    code: 503,
    status: "UNAVAILABLE",
    reason: "backendError",
    domain: "global",
    message: () => "The service is currently unavailable.",
  },
  invalidParameter: {
    code: 400,
    status: "INVALID_ARGUMENT",
    reason: "invalid",
    domain: "global",
    message: () => "Invalid Value",
    location: { name: "detail", type: "parameter" },
  },
  invalidFieldSelection: {
    code: 400,
    status: "INVALID_ARGUMENT",
    reason: "invalidParameter",
    domain: "global",
    message: (field) => `Invalid field selection ${field}`,
    location: { name: "fields", type: "parameter" },
  },
  rangeNotSatisfiable: {
    code: 416,
    status: "OUT_OF_RANGE",
    reason: "requestedRangeNotSatisfiable",
    domain: "global",
    message: () => "Request range not satisfiable",
    location: { name: "Range", type: "header" },
  },
  loginRequired: {
    code: 401,
    status: "UNAUTHENTICATED",
    reason: "required",
    domain: "global",
    message: () => "Login Required.",
    location: { name: "Authorization", type: "header" },
  },
};

/** A Drive error on its way to the client; handlers throw it and the server answers with its body. */
export class DriveApiError extends Error {
  readonly kind: DriveErrorName;
  readonly detail: string;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: DriveErrorName, detail = "", retryAfterSeconds?: number) {
    super(SPECS[kind].message(detail));
    this.kind = kind;
    this.detail = detail;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get code(): number {
    return SPECS[this.kind].code;
  }

  /** The JSON body Drive sends for this error. */
  body(): object {
    const spec = SPECS[this.kind];
    const location = spec.location && {
      location: spec.location.name === "detail" ? this.detail : spec.location.name,
      locationType: spec.location.type,
    };
    const error: Record<string, unknown> = {
      code: spec.code,
      message: this.message,
      errors: [{ message: this.message, domain: spec.domain, reason: spec.reason, ...location }],
      status: spec.status,
    };
    if (this.kind === "keyInvalid") error.details = keyInvalidDetails(this.message);
    return { error };
  }
}

/** Google's newer front end adds these details to a rejected key; clients read API_KEY_INVALID from them. */
function keyInvalidDetails(message: string): object[] {
  return [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: "drive.googleapis.com" },
    },
    { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message },
  ];
}

/** Whether a name is one a fault rule may inject. */
export function isInjectableError(name: unknown): name is InjectableError {
  return typeof name === "string" && (INJECTABLE_ERRORS as readonly string[]).includes(name);
}
