/**
 * Generates the chart's templates for crds/, the one source of the ImageImport API: its CRD and its admission
 * policy. Helm never upgrades a chart's crds/ folder, so the chart ships each file as a template behind
 * `crds.enabled` (and the policy also behind `crds.prefixWithinNamespace`), each object with
 * `helm.sh/resource-policy: keep` behind `crds.keep`. Every object's spec is copied verbatim.
 *
 *   node tools/codegen/chart-crds.ts           writes charts/imagesync/templates/crds/*.yaml
 *   node tools/codegen/chart-crds.ts --check   exits 1 if one is stale
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parseDocument } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const crdSourceDir = `${root}crds/`;
export const chartCrdDir = `${root}charts/imagesync/templates/crds/`;

/** The values that switch a source file's objects on; every file needs crds.enabled. */
const fileSwitches: Record<string, string[]> = {
  "imagesync.io_imageimports-destination-policy.yaml": [".Values.crds.prefixWithinNamespace"],
};

/** An object as crds/ defines it. */
export interface SourceObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}

/** The crds/ files, in name order. */
function crdSourceFiles(): string[] {
  return readdirSync(crdSourceDir)
    .filter((file) => file.endsWith(".yaml"))
    .sort();
}

/** Every object crds/ defines, as the API server gets them. */
export function crdSourceObjects(): SourceObject[] {
  return crdSourceFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(`${crdSourceDir}${file}`, "utf8")).map(
      (document) => document.toJS() as SourceObject,
    ),
  );
}

/** The chart template for one crds/ file's text. */
export function chartCrdTemplate(sourceName: string, source: string): string {
  if (source.includes("{{")) {
    throw new Error(`${sourceName} contains "{{", which Helm would read as a template action`);
  }
  const start = source.search(/^apiVersion:/m);
  if (start < 0) throw new Error(`${sourceName}: expected "apiVersion:" at the top level`);
  const documents = source
    .slice(start)
    .split(/^---\n/m)
    .map((text, index) => chartObject(`${sourceName} (document ${index + 1})`, text));
  const switches = [".Values.crds.enabled", ...(fileSwitches[sourceName] ?? [])];
  const condition = switches.length === 1 ? switches[0] : `and ${switches.join(" ")}`;
  return [
    `# Generated from crds/${sourceName} by tools/codegen/chart-crds.ts. Do not edit.`,
    `{{- if ${condition} }}`,
    documents.join("---\n").trimEnd(),
    "{{- end }}",
    "",
  ].join("\n");
}

/** One object's text with the chart's labels and, behind crds.keep, the keep annotation in its metadata. */
function chartObject(what: string, text: string): string {
  const object = parseDocument(text).toJS() as SourceObject | null;
  const metadataKeys = Object.keys(object?.metadata ?? {});
  if (metadataKeys.join() !== "name") {
    throw new Error(`${what}: metadata may hold only name (found ${metadataKeys.join(", ")})`);
  }
  const metadata = /^metadata:\n {2}name: (\S+)\n/m;
  if (!metadata.test(text))
    throw new Error(`${what}: expected "metadata:\\n  name: <name>" at the top level`);
  return text.replace(metadata, (_, name: string) =>
    [
      "metadata:",
      `  name: ${name}`,
      "  labels:",
      '    {{- include "imagesync.labels" (dict "root" . "component" "") | nindent 4 }}',
      "  {{- if .Values.crds.keep }}",
      "  annotations:",
      "    # Uninstalling the release must not delete every ImageImport in the cluster, nor what guards them.",
      "    helm.sh/resource-policy: keep",
      "  {{- end }}",
      "",
    ].join("\n"),
  );
}

/** Every template the chart should hold for crds/, by file name. */
export function chartCrdTemplates(): Map<string, string> {
  const templates = new Map<string, string>();
  for (const name of crdSourceFiles()) {
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
