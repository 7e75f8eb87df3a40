import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { logFile, startDaemon, waitUntilReady } from "./daemon.ts";
import { installImageImportApi } from "./image-import-api.ts";
import type { StackLayout } from "./layout.ts";
import type { StackEnv } from "./stack.ts";

/** Our own processes, in start order: the fake Drive first, since the others are pointed at it. */
export const stackApps = ["fake-drive", "operator", "worker", "api"] as const;

const demoApiKey = "imagesync-demo-key";

/** The API's static token for local use, made once per stack and kept with its data. */
function apiToken(layout: StackLayout): string {
  const file = join(layout.dataDir, "api-token");
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("hex"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

async function httpOk(url: string): Promise<boolean> {
  return (await fetch(url)).ok;
}

/** The fake Drive prints one JSON line describing itself; the demo folder is in it. */
function fakeDriveAnnouncement(
  layout: StackLayout,
): { rootUrl: string; folders: { folderUrl: string }[] } | undefined {
  const lines = readFileSync(logFile(layout, "fake-drive"), "utf8").split("\n").reverse();
  const line = lines.find((l) => l.startsWith('{"url"'));
  return line === undefined
    ? undefined
    : (JSON.parse(line) as { rootUrl: string; folders: { folderUrl: string }[] });
}

function startNode(layout: StackLayout, name: string, args: string[], env: Record<string, string>): void {
  startDaemon(layout, {
    name,
    command: join(layout.binDir, "node"),
    args,
    env: { PATH: `${layout.binDir}:${process.env.PATH ?? ""}`, ...env },
  });
}

/**
 * Starts the whole product on top of the servers: the fake Drive with a seeded demo folder, then the
 * operator, one worker and the API, each configured the way the Helm chart configures it.
 */
export async function upApps(layout: StackLayout, servers: StackEnv): Promise<StackEnv> {
  const { ports } = layout;
  // --seed keeps the demo folder's ids stable across restarts, so links printed once keep working.
  startNode(
    layout,
    "fake-drive",
    [
      "tools/fake-drive/cli.ts",
      `--port=${ports.fakeDrive}`,
      `--api-key=${demoApiKey}`,
      "--demo",
      "--seed=demo",
    ],
    {},
  );
  await waitUntilReady(layout, "fake-drive", () =>
    Promise.resolve(fakeDriveAnnouncement(layout) !== undefined),
  );
  const drive = fakeDriveAnnouncement(layout);
  if (drive === undefined) throw new Error("the fake Drive did not announce itself");

  await installImageImportApi(kubeConfig(servers));
  const common = {
    ...servers,
    DRIVE_API_ROOT_URL: drive.rootUrl,
    DRIVE_API_KEY: demoApiKey,
    DEFAULT_BUCKET: servers.S3_BUCKET ?? "imagesync",
    LOG_LEVEL: "info",
  };
  startNode(layout, "operator", ["operator/main.ts"], {
    ...common,
    HEALTH_PORT: String(ports.operatorMetrics),
    METRICS_PORT: String(ports.operatorMetrics),
    LEADER_ELECTION_NAMESPACE: "default",
  });
  startNode(layout, "worker", ["worker/main.ts"], { ...common, METRICS_PORT: String(ports.workerMetrics) });
  const token = apiToken(layout);
  startNode(layout, "api", ["api/main.ts"], {
    ...common,
    API_HOST: "127.0.0.1",
    API_PORT: String(ports.api),
    API_STATIC_TOKEN: token,
    API_DEFAULT_NAMESPACE: "default",
  });
  await Promise.all([
    waitUntilReady(layout, "operator", () => httpOk(`http://127.0.0.1:${ports.operatorMetrics}/healthz`)),
    waitUntilReady(layout, "worker", () => httpOk(`http://127.0.0.1:${ports.workerMetrics}/readyz`)),
    waitUntilReady(layout, "api", () => httpOk(`http://127.0.0.1:${ports.api}/readyz`)),
  ]);
  return {
    DRIVE_API_ROOT_URL: drive.rootUrl,
    DEMO_FOLDER_URL: drive.folders[0]?.folderUrl ?? "",
    IMAGESYNC_API_URL: `http://127.0.0.1:${ports.api}`,
    IMAGESYNC_API_TOKEN: token,
    OPERATOR_METRICS_URL: `http://127.0.0.1:${ports.operatorMetrics}/metrics`,
    WORKER_METRICS_URL: `http://127.0.0.1:${ports.workerMetrics}/metrics`,
  };
}

function kubeConfig(servers: StackEnv): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(servers.KUBECONFIG ?? "");
  return kc;
}
