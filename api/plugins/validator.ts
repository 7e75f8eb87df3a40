import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { Value } from "typebox/value";
import { urlValuePreparer } from "./url-values.ts";

/**
 * Validates with TypeBox's compiled checks, like @fastify/type-provider-typebox's compiler, and also
 * fills in schema defaults (page sizes, offsets), which that compiler leaves out. Text from the URL
 * (query, path, headers) is converted to the schema's numbers and booleans first; a JSON body is not,
 * so `"recursive": "yes"` is an error rather than a guess.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const prepare =
    httpPart === "body" ? (value: unknown) => Value.Default(schema, value) : urlValuePreparer(schema);
  return (value: unknown) => {
    const completed = prepare(value);
    if (check.Check(completed)) return { value: completed };
    return { error: check.Errors(completed) as FastifySchemaValidationError[] };
  };
};
