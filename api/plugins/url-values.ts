import type { TSchema } from "typebox";
import { Value } from "typebox/value";

/** Turns the text of a query string, path or headers into the values `schema` describes, defaults filled in. */
export type UrlValuePreparer = (value: unknown) => unknown;

const scalarTypes = new Set(["string", "integer", "number", "boolean"]);

interface FlatObjectSchema {
  properties: Record<string, TSchema>;
  defaults: [string, unknown][];
}

// An object of scalar properties with scalar defaults and no schema for extra properties: every route's
// query, path and headers. Anything else goes through TypeBox's interpreters whole.
function flatObjectSchema(schema: TSchema): FlatObjectSchema | undefined {
  const { type, properties, additionalProperties } = schema as {
    type?: unknown;
    properties?: Record<string, TSchema & { type?: unknown; default?: unknown }>;
    additionalProperties?: unknown;
  };
  if (type !== "object" || properties === undefined || typeof additionalProperties === "object") return;
  const defaults: [string, unknown][] = [];
  for (const [key, property] of Object.entries(properties)) {
    if (typeof property.type !== "string" || !scalarTypes.has(property.type)) return;
    if (!("default" in property)) continue;
    if (property.default !== null && typeof property.default === "object") return;
    defaults.push([key, property.default]);
  }
  return { properties, defaults };
}

/**
 * Value.Convert then Value.Default, as TypeBox does them (in place), but for a flat object schema only
 * the properties present are converted and only the defaults of those absent are set: TypeBox's
 * interpreters walk every property of the schema and build a regular expression per property on each
 * call, which cost 15-20 µs a request (GET /api/images has eleven query parameters). Each present value
 * is still converted by Value.Convert against its own schema. url-values.test.ts checks the two agree.
 */
export function urlValuePreparer(schema: TSchema): UrlValuePreparer {
  const flat = flatObjectSchema(schema);
  if (flat === undefined) return (value) => Value.Default(schema, Value.Convert(schema, value));
  const { properties, defaults } = flat;
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return Value.Default(schema, Value.Convert(schema, value));
    const values = value as Record<string, unknown>;
    for (const key of Object.keys(values)) {
      const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
      // TypeBox leaves an optional property that is present but undefined alone; URL text has none.
      if (property !== undefined && values[key] !== undefined)
        values[key] = Value.Convert(property, values[key]);
    }
    for (const [key, fallback] of defaults) if (values[key] === undefined) values[key] = fallback;
    return values;
  };
}
