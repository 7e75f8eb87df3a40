import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError, ApiErrors } from "../errors.ts";
import { validationMessage } from "./validation-messages.ts";

// SQLSTATE classes and socket errors that mean "PostgreSQL is not answering", not "the query is wrong".
const databaseDownStates = /^(08|53|57P)|^57014$/;
const socketErrors = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
]);

function isDatabaseUnavailable(error: { code?: unknown; message?: unknown }): boolean {
  const code = typeof error.code === "string" ? error.code : "";
  if (databaseDownStates.test(code) || socketErrors.has(code)) return true;
  const message = typeof error.message === "string" ? error.message : "";
  return /timeout exceeded when trying to connect|Connection terminated/.test(message);
}

/** Maps anything a handler or fastify threw onto the catalogue in errors.ts. */
function toApiError(error: FastifyError | ApiError, bodyLimitBytes: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation !== undefined) {
    return ApiErrors.invalidRequest(validationMessage(error.validation, error.validationContext));
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return ApiErrors.payloadTooLarge(bodyLimitBytes);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return ApiErrors.unsupportedMediaType();
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return ApiErrors.invalidRequest("the request body is empty: send a JSON object");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return ApiErrors.invalidJson();
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return ApiErrors.invalidJson();
  // fastify's other client errors (bad headers, bad content length) carry safe messages of their own.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError("INVALID_REQUEST", error.statusCode, error.message);
  }
  if (isDatabaseUnavailable(error)) return ApiErrors.databaseUnavailable(error);
  return ApiErrors.internal(error);
}

/** The body of an error: the older routes keep `{success, error: message}`, the new ones add a code. */
function errorBody(error: ApiError, legacy: boolean): unknown {
  return legacy
    ? { success: false, error: error.message }
    : { success: false, error: { code: error.code, message: error.message } };
}

function send(request: FastifyRequest, reply: FastifyReply, error: ApiError): unknown {
  void reply.code(error.statusCode).headers(error.headers);
  return errorBody(error, request.routeOptions.config.legacy === true);
}

/** One error shape for every route, failures logged with their cause, unknown routes answered alike. */
export function installErrorHandling(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = toApiError(error, bodyLimitBytes);
    // Our failures are errors; a dependency being down is a warning (the probes report it too).
    if (apiError.statusCode === 500) request.log.error({ err: apiError.cause ?? error }, "request failed");
    if (apiError.statusCode === 503)
      request.log.warn({ err: apiError.cause, code: apiError.code }, "dependency failed");
    return send(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, ApiErrors.routeNotFound(request.method, request.url.split("?")[0] ?? "")),
  );
}
