import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { stringify } from "yaml";
import { startDaemon, waitUntilReady } from "./daemon.ts";
import { tool, type StackLayout } from "./layout.ts";

export interface KubeEndpoint {
  server: string;
  kubeconfig: string;
  adminToken: string;
}

/** Service-account signing keys and an admin token, made once per stack and kept with its data. */
function ensureCredentials(kubeDir: string): { adminToken: string; saKey: string; saPub: string } {
  const saKey = join(kubeDir, "sa.key");
  const saPub = join(kubeDir, "sa.pub");
  const tokens = join(kubeDir, "tokens.csv");
  // Only the kube folder is private: PostgreSQL, running as its own user, must traverse the data folder.
  mkdirSync(kubeDir, { recursive: true });
  chmodSync(kubeDir, 0o700);
  if (!existsSync(saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  }
  if (!existsSync(tokens)) {
    // system:masters is the cluster-admin group; RBAC still governs every other identity.
    writeFileSync(
      tokens,
      `${randomBytes(24).toString("hex")},imagesync-admin,imagesync-admin,system:masters\n`,
      {
        mode: 0o600,
      },
    );
  }
  const adminToken = readFileSync(tokens, "utf8").split(",")[0] ?? "";
  return { adminToken, saKey, saPub };
}

/** GET over TLS without verifying the server: only for probing our own apiserver before its CA exists. */
function probe(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/**
 * kube-apiserver started the way controller-runtime's envtest starts it: RBAC enforced, service-account
 * tokens signed, no controller-manager or kubelet (Deployments get no Pods, nothing is garbage-collected).
 */
export async function startKubeApiserver(layout: StackLayout, etcdUrl: string): Promise<KubeEndpoint> {
  const kubeDir = join(layout.dataDir, "kube");
  const certDir = join(kubeDir, "certs");
  const { adminToken, saKey, saPub } = ensureCredentials(kubeDir);
  const port = layout.ports.kubeApiserver;
  const server = `https://127.0.0.1:${port}`;
  startDaemon(layout, {
    name: "kube-apiserver",
    command: tool(layout, "kube-apiserver"),
    args: [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/imagesync`,
      `--cert-dir=${certDir}`,
      `--secure-port=${port}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // No kubernetes Service endpoints to keep: nothing runs in-cluster, and loopback is not allowed there.
      "--endpoint-reconciler-type=none",
      "--service-cluster-ip-range=10.0.0.0/24",
      "--allow-privileged=true",
      "--authorization-mode=RBAC",
      "--disable-admission-plugins=ServiceAccount",
      `--token-auth-file=${join(kubeDir, "tokens.csv")}`,
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--enable-priority-and-fairness=false",
      "--v=1",
    ],
  });
  await waitUntilReady(
    layout,
    "kube-apiserver",
    async () => (await probe(`${server}/readyz`, adminToken)) === 200,
    120_000,
  );
  const kubeconfig = join(layout.dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    adminKubeconfig(server, readFileSync(join(certDir, "apiserver.crt")), adminToken),
    {
      mode: 0o600,
    },
  );
  return { server, kubeconfig, adminToken };
}

function adminKubeconfig(server: string, caBundle: Buffer, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "imagesync-local",
        cluster: { server, "certificate-authority-data": caBundle.toString("base64") },
      },
    ],
    users: [{ name: "imagesync-admin", user: { token } }],
    contexts: [{ name: "imagesync-local", context: { cluster: "imagesync-local", user: "imagesync-admin" } }],
    "current-context": "imagesync-local",
  });
}
