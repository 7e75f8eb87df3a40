import { Type, type Static, type TSchema } from "typebox";

/**
 * `T` or null, written as a JSON Schema type list rather than anyOf: the response serializer handles a
 * type list much faster, and the OpenAPI document reads the same.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, "null"] });
}

/** A success that has nothing to return but a sentence. */
export const MessageEnvelope = Type.Object(
  { success: Type.Literal(true), message: Type.String() },
  { additionalProperties: false },
);

/** The error body of the routes this API added. */
export const ErrorBody = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object(
      {
        code: Type.String({ description: "A stable code to match on, e.g. FORBIDDEN or INVALID_CURSOR." }),
        message: Type.String({ description: "What is wrong and how to fix it." }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: "An error." },
);

/** The error body of the older system's routes, kept as its clients parse it. */
export const LegacyErrorBody = Type.Object(
  { success: Type.Literal(false), error: Type.String({ description: "What is wrong." }) },
  { additionalProperties: false, description: "An error, in the older system's shape." },
);

/** Response schemas for the error statuses a new route may answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([...statuses, 401, 429, 500, 503].map((status) => [status, ErrorBody]));
}

/** Response schemas for the error statuses a legacy route may answer with. */
export function legacyErrorResponses(...statuses: number[]): Record<number, typeof LegacyErrorBody> {
  return Object.fromEntries([...statuses, 401, 429, 500, 503].map((status) => [status, LegacyErrorBody]));
}

/** A Kubernetes namespace name (an RFC 1123 label). */
export const NamespaceName = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  description: "A Kubernetes namespace.",
});

/** A Kubernetes object name (an RFC 1123 subdomain). */
export const ObjectName = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
  description: "A Kubernetes object name: lower-case letters, digits, '-' and '.'.",
});

/** A page size; large pages are refused rather than silently cut. */
export function PageLimit(options: { default: number; maximum: number }) {
  return Type.Integer({
    minimum: 1,
    maximum: options.maximum,
    default: options.default,
    description: `Items per page, 1 to ${options.maximum} (default ${options.default}).`,
  });
}

/** An opaque keyset cursor, as a previous page's nextCursor returned it. */
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 512,
  description: "The nextCursor of the previous page, unchanged.",
});
