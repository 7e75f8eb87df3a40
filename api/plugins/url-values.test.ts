import { Type, type TSchema } from "typebox";
import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { ImageParams, ListImagesQuery } from "../schemas/images.ts";
import { ImportFilesQuery, ImportParams, ListImportsQuery } from "../schemas/imports.ts";
import { JobParams } from "../schemas/legacy.ts";
import { urlValuePreparer } from "./url-values.ts";

// What fastify hands the validator: text, arrays for repeated parameters, and keys the schema lacks.
const texts = [
  "",
  "0",
  "1",
  "50",
  "-3",
  "1.5",
  "1e3",
  " 7",
  "0x10",
  "true",
  "false",
  "TRUE",
  "yes",
  "abc",
  "image/*",
];
const oddities = [["1", "2"], ["true"], []];

function inputsFor(schema: TSchema): Record<string, unknown>[] {
  const keys = Object.keys((schema as { properties: Record<string, unknown> }).properties);
  const inputs: Record<string, unknown>[] = [{}, { unknown: "1" }];
  for (const key of keys) {
    for (const value of [...texts, ...oddities]) inputs.push({ [key]: value });
    inputs.push(Object.fromEntries(keys.map((other, i) => [other, texts[i % texts.length]])));
  }
  return inputs;
}

const schemas: Record<string, TSchema> = {
  ListImagesQuery,
  ImageParams,
  ListImportsQuery,
  ImportFilesQuery,
  ImportParams,
  JobParams,
  stats: Type.Object({ namespace: Type.Optional(Type.String()) }, { additionalProperties: false }),
  nested: Type.Object({ page: Type.Object({ size: Type.Integer({ default: 5 }) }) }),
};

describe("urlValuePreparer", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`converts and fills in ${name} as Value.Convert then Value.Default do`, () => {
      const prepare = urlValuePreparer(schema);
      for (const input of inputsFor(schema)) {
        const expected = Value.Default(schema, Value.Convert(schema, structuredClone(input)));
        expect(prepare(structuredClone(input)), JSON.stringify(input)).toStrictEqual(expected);
      }
    });
  }

  it("passes what is not an object to TypeBox unchanged", () => {
    const prepare = urlValuePreparer(ListImagesQuery);
    for (const input of [null, "limit=5", ["5"]]) {
      expect(prepare(input)).toStrictEqual(
        Value.Default(ListImagesQuery, Value.Convert(ListImagesQuery, input)),
      );
    }
  });
});
