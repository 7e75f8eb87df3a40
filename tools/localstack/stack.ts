import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runningPid, stopDaemon } from "./daemon.ts";
import { startEtcd } from "./etcd.ts";
import { startKubeApiserver } from "./kube-apiserver.ts";
import { stackApps, upApps } from "./apps.ts";
import { prepareDataDir, type StackLayout } from "./layout.ts";
import { startNats } from "./nats.ts";
import { startPostgres } from "./postgres.ts";
import { s3Credentials, startS3 } from "./s3.ts";

/** The servers of a stack, in start order; stopped in reverse, after the apps. */
export const stackServers = ["etcd", "kube-apiserver", "nats", "postgres", "s3"] as const;
const everything = [...stackServers, ...stackApps];

/** What a client of the stack needs, as environment variables (the env file's content). */
export type StackEnv = Record<string, string>;

/** Starts every server that is not running yet, in parallel where they do not depend on each other. */
/** Starts the servers and, with `apps`, the whole product on top of them (`make up`). */
export async function upStack(layout: StackLayout, { apps = false } = {}): Promise<StackEnv> {
  prepareDataDir(layout);
  const [kube, natsUrl, databaseUrl, s3Endpoint] = await Promise.all([
    startEtcd(layout).then((etcdUrl) => startKubeApiserver(layout, etcdUrl)),
    startNats(layout),
    startPostgres(layout),
    startS3(layout),
  ]);
  const env: StackEnv = {
    KUBECONFIG: kube.kubeconfig,
    KUBE_ADMIN_TOKEN: kube.adminToken,
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    S3_ENDPOINT: s3Endpoint,
    S3_REGION: "us-east-1",
    S3_FORCE_PATH_STYLE: "true",
    S3_BUCKET: "imagesync",
    AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
  };
  const full = apps ? { ...env, ...(await upApps(layout, env)) } : env;
  writeEnvFile(layout, full);
  return full;
}

export async function downStack(layout: StackLayout): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of [...everything].reverse()) {
    if (await stopDaemon(layout, name)) stopped.push(name);
  }
  return stopped;
}

export function stackStatus(layout: StackLayout): Record<string, number | undefined> {
  return Object.fromEntries(everything.map((name) => [name, runningPid(layout, name)]));
}

export function envFilePath(layout: StackLayout): string {
  return join(layout.dir, "env");
}

/** A shell-sourceable file so a user's own kubectl, psql and S3 clients talk to the stack. */
function writeEnvFile(layout: StackLayout, env: StackEnv): void {
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  lines.push(`export PATH=${shellQuote(layout.binDir)}:"$PATH"`);
  writeFileSync(
    envFilePath(layout),
    `# Written by the local stack; source it: . ${envFilePath(layout)}\n${lines.join("\n")}\n`,
    {
      mode: 0o600,
    },
  );
}

/** Reads an env file written by writeEnvFile back into a map (PATH, which extends the caller's, is left out). */
export function readEnvFile(path: string): StackEnv {
  const env: StackEnv = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2].replaceAll(`'\\''`, "'");
  }
  return env;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
