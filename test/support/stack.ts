import { randomBytes } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import { S3Client } from "@aws-sdk/client-s3";
import pg from "pg";
import { inject } from "vitest";
import { KubeClient, kubeconfigConnection } from "../../lib/controller-runtime/index.ts";

/** The running stack's connection settings (see global-setup.ts). */
export function stackEnv(): Record<string, string> {
  return inject("stack");
}

export function requireEnv(name: string): string {
  const value = stackEnv()[name];
  if (value === undefined) throw new Error(`the local stack did not provide ${name}`);
  return value;
}

/** A name no other test uses: tests share servers, never state. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(requireEnv("KUBECONFIG"));
  return kc;
}

/** The operator's own client, as the stack's admin. */
export function adminKubeClient(): KubeClient {
  return new KubeClient(kubeconfigConnection(requireEnv("KUBECONFIG")));
}

/**
 * A KubeClient for the same cluster that authenticates with `token` instead of the admin's; `server`
 * points it elsewhere (an address that does not answer, say).
 */
export function kubeClientWithToken(token: string, server?: string): KubeClient {
  const admin = kubeconfigConnection(requireEnv("KUBECONFIG"));
  return new KubeClient({
    server: server ?? admin.server,
    ca: admin.ca,
    insecureSkipTlsVerify: admin.insecureSkipTlsVerify,
    token,
  });
}

/** A KubeConfig for the same cluster that authenticates with `token` instead of the admin's. */
export function kubeConfigWithToken(token: string): KubeConfig {
  const admin = adminKubeConfig();
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error("the stack's kubeconfig names no cluster");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: "test-user", token }],
    contexts: [{ name: "test", cluster: cluster.name, user: "test-user" }],
    currentContext: "test",
  });
  return kc;
}

/** A fresh database on the stack's server, so each test file migrates and writes its own. */
export async function createDatabase(
  prefix = "test",
  serverUrl = requireEnv("DATABASE_URL"),
): Promise<string> {
  const name = uniqueName(prefix).replaceAll("-", "_");
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** An S3 client for the stack's server; checksum modes are the caller's to choose. */
export function stackS3Client(
  options: { checksums?: "WHEN_SUPPORTED" | "WHEN_REQUIRED"; endpoint?: string } = {},
): S3Client {
  const checksums = options.checksums ?? "WHEN_SUPPORTED";
  return new S3Client({
    endpoint: options.endpoint ?? requireEnv("S3_ENDPOINT"),
    region: requireEnv("S3_REGION"),
    forcePathStyle: true,
    credentials: {
      accessKeyId: requireEnv("AWS_ACCESS_KEY_ID"),
      secretAccessKey: requireEnv("AWS_SECRET_ACCESS_KEY"),
    },
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
  });
}
