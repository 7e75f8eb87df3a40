import type { FastifySchemaValidationError } from "fastify";

const nouns: Record<string, string> = {
  body: "field",
  querystring: "query parameter",
  params: "path parameter",
  headers: "header",
};

function dotted(instancePath: string): string {
  return instancePath.replace(/^\//, "").replaceAll("/", ".");
}

function quoteAll(names: unknown): string {
  return (Array.isArray(names) ? names : [names]).map((name) => `'${String(name)}'`).join(", ");
}

/**
 * Turns schema validation errors into one sentence a person can act on, e.g. "query parameter 'limit'
 * must be <= 1000; unknown query parameter 'lmit'". At most five problems are named.
 */
export function validationMessage(
  errors: readonly FastifySchemaValidationError[],
  part: string | undefined,
): string {
  const noun = nouns[part ?? ""] ?? "value";
  const problems: string[] = [];
  for (const error of errors) {
    const where = dotted(error.instancePath);
    const inside = where === "" ? "" : ` in '${where}'`;
    if (error.keyword === "boolean" && error.schemaPath.endsWith("additionalProperties")) continue;
    if (error.keyword === "additionalProperties") {
      problems.push(`unknown ${noun} ${quoteAll(error.params.additionalProperties)}${inside}`);
    } else if (error.keyword === "required") {
      problems.push(`missing ${noun} ${quoteAll(error.params.requiredProperties)}${inside}`);
    } else if (error.keyword === "enum" && Array.isArray(error.params.allowedValues)) {
      problems.push(`${noun} '${where}' must be one of ${error.params.allowedValues.map(String).join(", ")}`);
    } else if (where === "") {
      problems.push(`the ${part === "body" ? "body" : noun} ${error.message ?? "is invalid"}`);
    } else {
      problems.push(`${noun} '${where}' ${error.message ?? "is invalid"}`);
    }
  }
  const unique = [...new Set(problems)];
  return unique.length === 0 ? `the ${noun}s are invalid` : unique.slice(0, 5).join("; ");
}
