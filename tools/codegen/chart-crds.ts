/**
 * Generates the chart's CRD templates from crds/, the one source of the API. Helm never upgrades a chart's
 * crds/ folder, so the chart ships each CRD as a template behind `crds.enabled`, with
 * `helm.sh/resource-policy: keep` behind `crds.keep`; the spec is copied verbatim.
 *
 *   node tools/codegen/chart-crds.ts           writes charts/imagesync/templates/crds/*.yaml
 *   node tools/codegen/chart-crds.ts --check   exits 1 if one is stale
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const crdSourceDir = `${root}crds/`;
export const chartCrdDir = `${root}charts/imagesync/templates/crds/`;

/** The chart template for one CRD file's text. */
export function chartCrdTemplate(sourceName: string, source: string): string {
  const crd = parse(source) as { metadata?: Record<string, unknown> };
  const metadataKeys = Object.keys(crd.metadata ?? {});
  if (metadataKeys.join() !== "name") {
    throw new Error(`${sourceName}: metadata may hold only name (found ${metadataKeys.join(", ")})`);
  }
  if (source.includes("{{")) {
    throw new Error(`${sourceName} contains "{{", which Helm would read as a template action`);
  }
  const start = source.search(/^apiVersion:/m);
  const metadata = /^metadata:\n {2}name: (\S+)\n/m;
  const body = source.slice(start);
  if (start < 0 || !metadata.test(body)) {
    throw new Error(
      `${sourceName}: expected "apiVersion:" then "metadata:\\n  name: <name>" at the top level`,
    );
  }
  const templated = body.replace(metadata, (_, name: string) =>
    [
      "metadata:",
      `  name: ${name}`,
      "  labels:",
      '    {{- include "imagesync.labels" (dict "root" . "component" "") | nindent 4 }}',
      "  {{- if .Values.crds.keep }}",
      "  annotations:",
      "    # Uninstalling the release must not delete every ImageImport in the cluster.",
      "    helm.sh/resource-policy: keep",
      "  {{- end }}",
      "",
    ].join("\n"),
  );
  return [
    `# Generated from crds/${sourceName} by tools/codegen/chart-crds.ts. Do not edit.`,
    "{{- if .Values.crds.enabled }}",
    templated.trimEnd(),
    "{{- end }}",
    "",
  ].join("\n");
}

/** Every CRD template the chart should hold, by file name. */
export function chartCrdTemplates(): Map<string, string> {
  const templates = new Map<string, string>();
  for (const name of readdirSync(crdSourceDir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()) {
    templates.set(name, chartCrdTemplate(name, readFileSync(`${crdSourceDir}${name}`, "utf8")));
  }
  return templates;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  let stale = false;
  for (const [name, text] of chartCrdTemplates()) {
    const path = `${chartCrdDir}${name}`;
    if (!check) writeFileSync(path, text);
    else if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
      console.error(`${path} is stale: run node tools/codegen/chart-crds.ts`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
}
