/**
 * Every error the API answers with, in one place (like fastify's errors.js). Each has a stable `code`
 * that clients match on, an HTTP status and a message that names the problem and, where there is one,
 * the fix. Messages never carry secrets (tokens, keys) or raw upstream responses.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Response headers the error implies (WWW-Authenticate, Retry-After). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.statusCode = statusCode;
    this.headers = options.headers ?? {};
  }
}

const resource = "imageimports.imagesync.io";

/** The catalogue. Codes only ever gain members: automation depends on them. */
export const ApiErrors = {
  // 400: the request itself is wrong.
  invalidRequest: (message: string) => new ApiError("INVALID_REQUEST", 400, message),
  invalidJson: () =>
    new ApiError(
      "INVALID_JSON",
      400,
      "the request body is not valid JSON: send a JSON object with Content-Type: application/json",
    ),
  invalidFolderUrl: (message: string) => new ApiError("INVALID_FOLDER_URL", 400, message),
  invalidCursor: () =>
    new ApiError(
      "INVALID_CURSOR",
      400,
      "cursor is not one this API issued: pass the nextCursor of a previous page unchanged, or leave it out to start at the first page",
    ),
  invalidContinueToken: () =>
    new ApiError(
      "INVALID_CONTINUE_TOKEN",
      400,
      "continue is not a token this API issued or it has expired: pass the continue value of a previous page unchanged, or leave it out to start again",
    ),

  namespaceRequired: () =>
    new ApiError(
      "NAMESPACE_REQUIRED",
      400,
      "this installation may list imageimports only namespace by namespace: pass ?namespace=<namespace>",
    ),

  // 401 and 403: who the caller is and what RBAC lets them do.
  missingToken: () =>
    new ApiError(
      "UNAUTHENTICATED",
      401,
      "no bearer token: send 'Authorization: Bearer <token>' with a Kubernetes ServiceAccount or user token",
      { headers: { "www-authenticate": 'Bearer realm="imagesync"' } },
    ),
  invalidToken: () =>
    new ApiError(
      "INVALID_TOKEN",
      401,
      "the bearer token was not accepted by the Kubernetes API (TokenReview): it is unknown, expired or meant for another audience; get a fresh one with 'kubectl create token <serviceaccount>'",
      { headers: { "www-authenticate": 'Bearer realm="imagesync", error="invalid_token"' } },
    ),
  forbidden: (user: string, verb: string, namespace: string | undefined) =>
    new ApiError(
      "FORBIDDEN",
      403,
      namespace === undefined
        ? `${user} may not ${verb} ${resource} in every namespace; name a namespace you may ${verb} in, or ask for a ClusterRole granting '${verb}' on ${resource}`
        : `${user} may not ${verb} ${resource} in namespace ${namespace}; ask for a Role in ${namespace} granting '${verb}' on ${resource}`,
    ),
  forbiddenForImage: (user: string, verb: string, imageId: string) =>
    new ApiError(
      "FORBIDDEN",
      403,
      `${user} may not ${verb} ${resource} in the namespace image ${imageId} was imported into; ask for a Role there granting '${verb}' on ${resource}`,
    ),
  forbiddenForJob: (user: string, jobId: string) =>
    new ApiError(
      "FORBIDDEN",
      403,
      `${user} may not get ${resource} in the namespace of job ${jobId}; ask for a Role there granting 'get' on ${resource}`,
    ),

  // 404: unknown ids and routes.
  routeNotFound: (method: string, url: string) =>
    new ApiError(
      "ROUTE_NOT_FOUND",
      404,
      `no route ${method} ${url}: see /docs for the routes this API serves`,
    ),
  importNotFound: (namespace: string, name: string) =>
    new ApiError("IMPORT_NOT_FOUND", 404, `ImageImport ${namespace}/${name} not found`),
  jobNotFound: (jobId: string) => new ApiError("JOB_NOT_FOUND", 404, `job ${jobId} not found`),
  namespaceNotFound: (namespace: string) =>
    new ApiError(
      "NAMESPACE_NOT_FOUND",
      404,
      `namespace ${namespace} does not exist; create it first or choose another`,
    ),
  imageNotFound: (imageId: string) => new ApiError("IMAGE_NOT_FOUND", 404, `image ${imageId} not found`),

  // 409 and 422: the request is well-formed but the resource's state or the API server refuses it.
  importExists: (namespace: string, name: string) =>
    new ApiError(
      "IMPORT_EXISTS",
      409,
      `ImageImport ${namespace}/${name} already exists: choose another name or leave name out to get a generated one`,
    ),
  importChanged: (namespace: string, name: string) =>
    new ApiError(
      "CONFLICT",
      409,
      `ImageImport ${namespace}/${name} kept changing while this request updated it; read it again and retry`,
    ),
  importNotFinished: (namespace: string, name: string) =>
    new ApiError(
      "IMPORT_NOT_FINISHED",
      409,
      `ImageImport ${namespace}/${name} is still running; retry-failed applies to a finished import, so wait for it to finish (GET .../events)`,
    ),
  importCancelled: (namespace: string, name: string) =>
    new ApiError(
      "IMPORT_CANCELLED",
      409,
      `ImageImport ${namespace}/${name} was cancelled and cannot run again; create a new import for the same folder`,
    ),
  noFailedFiles: (namespace: string, name: string) =>
    new ApiError("NO_FAILED_FILES", 409, `ImageImport ${namespace}/${name} has no failed files to retry`),
  importRejected: (message: string) =>
    new ApiError("IMPORT_REJECTED", 422, `the Kubernetes API refused the ImageImport: ${message}`),

  // Limits.
  payloadTooLarge: (limitBytes: number) =>
    new ApiError("PAYLOAD_TOO_LARGE", 413, `the request body is larger than ${limitBytes} bytes`),
  unsupportedMediaType: () =>
    new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      415,
      "send the request body as JSON (Content-Type: application/json)",
    ),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError("RATE_LIMITED", 429, `too many requests from this client; retry in ${retryAfterSeconds} s`, {
      headers: { "retry-after": String(retryAfterSeconds) },
    }),

  // 5xx: our side or a dependency.
  notImplemented: (what: string) => new ApiError("NOT_IMPLEMENTED", 501, what),
  kubernetesUnavailable: (cause?: unknown) =>
    new ApiError("KUBERNETES_UNAVAILABLE", 503, "the Kubernetes API did not answer; retry shortly", {
      headers: { "retry-after": "5" },
      cause,
    }),
  kubernetesDenied: (verb: string, cause?: unknown) =>
    new ApiError(
      "API_NOT_PERMITTED",
      503,
      `the API's own ServiceAccount may not ${verb} in the Kubernetes API; an administrator must bind it to the imagesync-api ClusterRole`,
      { cause },
    ),
  databaseUnavailable: (cause?: unknown) =>
    new ApiError("DATABASE_UNAVAILABLE", 503, "PostgreSQL did not answer; retry shortly", {
      headers: { "retry-after": "5" },
      cause,
    }),
  storageUnavailable: (cause?: unknown) =>
    new ApiError(
      "STORAGE_UNAVAILABLE",
      503,
      "object storage did not delete the image's object; the image was kept, retry shortly",
      { headers: { "retry-after": "5" }, cause },
    ),
  internal: (cause?: unknown) =>
    new ApiError("INTERNAL", 500, "the API failed unexpectedly; the error was logged", { cause }),
} as const;
