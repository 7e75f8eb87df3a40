import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { requireEnv } from "../support/stack.ts";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const chartDir = `${repoRoot}charts/imagesync/`;
export const ciValuesDir = `${chartDir}ci/`;

/** A Kubernetes object as rendered: only what the tests look at is typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

const binDir = resolve(process.env.IMAGESYNC_BIN_DIR ?? `${repoRoot}.local/bin`);

/** helm and kubectl are the pinned ones from the bin folder; promtool and prometheus come from PATH (Debian). */
function toolPath(tool: string): string {
  const pinned = `${binDir}/${tool}`;
  return existsSync(pinned) ? pinned : tool;
}

// Helm keeps its caches and repositories in the test folder instead of the user's home.
const helmHome = `${resolve(process.env.IMAGESYNC_TEST_DIR ?? `${repoRoot}.local/test`)}/helm`;

/** Runs a command-line tool against the stack's API server; never rejects on a non-zero exit. */
export function runTool(
  tool: string,
  args: string[],
  options: { input?: string; cwd?: string } = {},
): Promise<ToolResult> {
  mkdirSync(helmHome, { recursive: true });
  return new Promise((resolvePromise, reject) => {
    const child = spawn(toolPath(tool), args, {
      cwd: options.cwd ?? repoRoot,
      env: {
        ...process.env,
        KUBECONFIG: requireEnv("KUBECONFIG"),
        HELM_CACHE_HOME: `${helmHome}/cache`,
        HELM_CONFIG_HOME: `${helmHome}/config`,
        HELM_DATA_HOME: `${helmHome}/data`,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Like runTool, but rejects with the tool's output when it fails. */
export async function mustRun(
  tool: string,
  args: string[],
  options: { input?: string } = {},
): Promise<string> {
  const result = await runTool(tool, args, options);
  if (result.code !== 0) {
    throw new Error(`${tool} ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

let serverVersion: Promise<string> | undefined;

/** The API server's version, so `helm template` renders for the cluster the tests apply to. */
export function kubeVersion(): Promise<string> {
  serverVersion ??= mustRun("kubectl", ["version", "-o", "json"]).then(
    (out) => (JSON.parse(out) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion,
  );
  return serverVersion;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  /** --set-json pairs: values given as JSON keep their types. */
  setJson?: Record<string, unknown>;
}

function valueArgs(options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ["--values", file]),
    ...Object.entries(options.setJson ?? {}).flatMap(([key, value]) => [
      "--set-json",
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
}

/** `helm template` of the chart: the outcome as is, for tests about refusals. */
export async function helmTemplateResult(options: RenderOptions): Promise<ToolResult> {
  return runTool("helm", [
    "template",
    options.release ?? "imagesync",
    chartDir,
    "--namespace",
    options.namespace ?? "imagesync",
    "--kube-version",
    await kubeVersion(),
    ...valueArgs(options),
  ]);
}

/** `helm template` of the chart, as objects. */
export async function helmTemplate(options: RenderOptions): Promise<KubeObject[]> {
  const result = await helmTemplateResult(options);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** `helm install` (or `helm upgrade --install`) of the chart into the stack's API server. */
export async function helmInstall(
  options: RenderOptions & { release: string; namespace: string },
): Promise<void> {
  await mustRun("helm", [
    "upgrade",
    "--install",
    options.release,
    chartDir,
    "--namespace",
    options.namespace,
    ...valueArgs(options),
  ]);
}

export async function helmUninstall(release: string, namespace: string): Promise<void> {
  await mustRun("helm", ["uninstall", release, "--namespace", namespace]);
}

/** The minimum a chart install needs besides defaults: where PostgreSQL, NATS and the bucket are. */
export const externalConnections = {
  "database.url": "postgres://imagesync:secret@postgres.db.svc:5432/imagesync",
  "nats.url": "nats://nats.nats.svc:4222",
  "s3.defaultBucket": "imagesync",
};
