import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";

/** Where the API server is and how to authenticate to it: what KubeClient needs from a kubeconfig. */
export interface KubeConnection {
  /** The API server's base URL, e.g. `https://10.0.0.1:443`. */
  server: string;
  /** PEM CA bundle to trust; the system's when absent. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  /** PEM client certificate and key (mutual TLS). */
  clientCertificate?: string;
  clientKey?: string;
  /** A fixed bearer token. */
  token?: string;
  /** A file holding the bearer token, read again as the kubelet rotates it (service-account tokens). */
  tokenFile?: string;
}

/** The in-cluster API server the kubelet names in every pod (KUBERNETES_SERVICE_HOST/PORT). */
export interface InClusterServer {
  host: string;
  port: string;
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The pod's service account, as client-go's rest.InClusterConfig finds it: the API server the kubelet names
 * in KUBERNETES_SERVICE_HOST/PORT, the CA and the (rotated) token from the mounted service-account files.
 */
export function inClusterConnection(
  server: InClusterServer | undefined,
  accountDir = serviceAccountDir,
): KubeConnection {
  if (server === undefined) {
    throw new Error(
      "not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset): give a kubeconfig file (KUBECONFIG)",
    );
  }
  const { host, port } = server;
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${accountDir}/ca.crt`, "utf8"),
    tokenFile: `${accountDir}/token`,
  };
}

/** The in-cluster API server the kubelet names in every pod (KUBERNETES_SERVICE_HOST/PORT), if any. */
export function inClusterServer(
  env: Readonly<Record<string, string | undefined>>,
): InClusterServer | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  return host === undefined || port === undefined ? undefined : { host, port };
}

/** Where a process finds the API server, in client-go's order: a kubeconfig file when one is given, else the pod's service account. */
export function processConnection(source: {
  kubeconfigPath: string | undefined;
  inClusterServer: InClusterServer | undefined;
}): KubeConnection {
  return source.kubeconfigPath === undefined
    ? inClusterConnection(source.inClusterServer)
    : kubeconfigConnection(source.kubeconfigPath);
}

interface KubeconfigFile {
  "current-context"?: string;
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
  contexts?: { name: string; context: { cluster: string; user?: string } }[];
}

/**
 * The current context of a kubeconfig file. Supports what service accounts, kind, k3s and kubeadm write:
 * server, CA (file or data), insecure-skip-tls-verify, token, tokenFile and client certificates. Exec and
 * auth-provider plugins, basic auth and proxy-url are refused with an error saying so.
 */
export function kubeconfigConnection(path: string): KubeConnection {
  const config = parse(readFileSync(path, "utf8")) as KubeconfigFile;
  const contextName = config["current-context"];
  const context = config.contexts?.find((entry) => entry.name === contextName)?.context;
  if (context === undefined)
    throw new Error(`${path}: current-context "${contextName ?? ""}" is not defined`);
  const cluster = config.clusters?.find((entry) => entry.name === context.cluster)?.cluster;
  if (cluster === undefined) throw new Error(`${path}: cluster "${context.cluster}" is not defined`);
  const user = config.users?.find((entry) => entry.name === context.user)?.user ?? {};
  for (const unsupported of ["exec", "auth-provider", "username"]) {
    if (user[unsupported] !== undefined) {
      throw new Error(
        `${path}: user "${context.user ?? ""}" uses ${unsupported}, which ImageSync does not support; use a token or client certificate`,
      );
    }
  }
  // Paths in a kubeconfig are relative to the file, as kubectl reads them.
  const base = dirname(path);
  const pem = (data: unknown, file: unknown): string | undefined => {
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    if (typeof file === "string") return readFileSync(resolve(base, file), "utf8");
    return undefined;
  };
  if (cluster["proxy-url"] !== undefined) {
    throw new Error(`${path}: cluster "${context.cluster}" uses proxy-url, which ImageSync does not support`);
  }
  const server = cluster.server;
  if (typeof server !== "string") throw new Error(`${path}: cluster "${context.cluster}" has no server`);
  const connection: KubeConnection = { server };
  const ca = pem(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  if (ca !== undefined) connection.ca = ca;
  if (cluster["insecure-skip-tls-verify"] === true) connection.insecureSkipTlsVerify = true;
  const clientCertificate = pem(user["client-certificate-data"], user["client-certificate"]);
  const clientKey = pem(user["client-key-data"], user["client-key"]);
  if (clientCertificate !== undefined) connection.clientCertificate = clientCertificate;
  if (clientKey !== undefined) connection.clientKey = clientKey;
  if (typeof user.token === "string") connection.token = user.token;
  if (typeof user.tokenFile === "string") connection.tokenFile = resolve(base, user.tokenFile);
  return connection;
}
