/**
 * Generates TypeScript types from the CRD's OpenAPI schema, so the CRD stays the one source of truth.
 *
 *   node tools/codegen/crd-types.ts           writes lib/imageimport/types.generated.ts
 *   node tools/codegen/crd-types.ts --check   exits 1 if that file is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, type JSONSchema } from "json-schema-to-typescript";
import { format, resolveConfig } from "prettier";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
const crdPath = `${root}crds/imagesync.io_imageimports.yaml`;
const outPath = `${root}lib/imageimport/types.generated.ts`;

interface CrdDocument {
  spec: { versions: { name: string; schema: { openAPIV3Schema: JSONSchema } }[] };
}

/** Kubernetes' x- extensions mean nothing to TypeScript; drop them so the generator sees plain JSON Schema. */
function stripExtensions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripExtensions);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => !key.startsWith("x-kubernetes-"))
      .map(([key, value]) => [key, stripExtensions(value)]),
  );
}

/** Names for the nested types code refers to; the rest stay anonymous. */
const namedTypes: Record<string, string> = {
  spec: "ImageImportSpec",
  status: "ImageImportStatus",
  "status.conditions": "Condition",
  "status.progress": "ImportProgress",
  "status.failures": "FileFailure",
};

function nameNestedTypes(schema: JSONSchema, path = ""): JSONSchema {
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const propertyPath = path === "" ? key : `${path}.${key}`;
    const target = property.type === "array" ? (property.items as JSONSchema) : property;
    const title = namedTypes[propertyPath];
    if (title !== undefined) target.title = title;
    nameNestedTypes(target, propertyPath);
  }
  return schema;
}

export async function generateCrdTypes(): Promise<string> {
  const crd = parse(readFileSync(crdPath, "utf8")) as CrdDocument;
  const version = crd.spec.versions.find((v) => v.name === "v1alpha1");
  if (version === undefined) throw new Error(`${crdPath} has no v1alpha1 version`);
  const schema = nameNestedTypes(stripExtensions(version.schema.openAPIV3Schema) as JSONSchema);
  // metadata is Kubernetes' ObjectMeta, which the CRD leaves open; use client-node's type for it.
  schema.properties = { ...schema.properties, metadata: { tsType: "V1ObjectMeta" } };
  const source = await compile(
    { ...schema, title: "ImageImport", additionalProperties: false },
    "ImageImport",
    {
      bannerComment: [
        "/* Generated from crds/imagesync.io_imageimports.yaml by tools/codegen/crd-types.ts. Do not edit. */",
        'import type { V1ObjectMeta } from "@kubernetes/client-node";',
      ].join("\n"),
      additionalProperties: false,
      strictIndexSignatures: true,
      format: false,
    },
  );
  return format(source, { ...(await resolveConfig(outPath)), filepath: outPath });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const generated = await generateCrdTypes();
  if (process.argv.includes("--check")) {
    if (readFileSync(outPath, "utf8") !== generated) {
      console.error(`${outPath} is stale: run make generate`);
      process.exit(1);
    }
  } else {
    writeFileSync(outPath, generated);
  }
}
