import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inClusterConnection, kubeconfigConnection } from "./kube-connection.ts";

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
  const path = join(dir, "config");
  writeFileSync(join(dir, "ca.crt"), "CA FROM FILE");
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "dev",
      clusters: [
        { name: "other", cluster: { server: "https://wrong:6443" } },
        { name: "local", cluster: { server: "https://127.0.0.1:6443", ...cluster } },
      ],
      users: [{ name: "me", user }],
      contexts: [{ name: "dev", context: { cluster: "local", user: "me" } }],
    }),
  );
  return path;
}

describe("kubeconfigConnection", () => {
  it("takes the current context's server, inline CA and token", () => {
    const ca = Buffer.from("INLINE CA").toString("base64");
    const connection = kubeconfigConnection(
      kubeconfig({ token: "t0k" }, { "certificate-authority-data": ca }),
    );
    expect(connection).toEqual({ server: "https://127.0.0.1:6443", ca: "INLINE CA", token: "t0k" });
  });

  it("reads files relative to the kubeconfig, and client certificates", () => {
    const cert = Buffer.from("CERT").toString("base64");
    const key = Buffer.from("KEY").toString("base64");
    const path = kubeconfig(
      { "client-certificate-data": cert, "client-key-data": key, tokenFile: "token" },
      { "certificate-authority": "ca.crt", "insecure-skip-tls-verify": true },
    );
    expect(kubeconfigConnection(path)).toEqual({
      server: "https://127.0.0.1:6443",
      ca: "CA FROM FILE",
      insecureSkipTlsVerify: true,
      clientCertificate: "CERT",
      clientKey: "KEY",
      tokenFile: join(path, "..", "token"),
    });
  });

  it("refuses exec plugins with an error naming them", () => {
    const path = kubeconfig({ exec: { command: "aws" } }, {});
    expect(() => kubeconfigConnection(path)).toThrow(/uses exec, which ImageSync does not support/);
  });
});

describe("inClusterConnection", () => {
  it("finds the API server the kubelet names and the mounted CA and token file", () => {
    const accountDir = mkdtempSync(join(tmpdir(), "serviceaccount-"));
    writeFileSync(join(accountDir, "ca.crt"), "CLUSTER CA");
    writeFileSync(join(accountDir, "token"), "projected-token");

    expect(inClusterConnection({ host: "10.96.0.1", port: "443" }, accountDir)).toEqual({
      server: "https://10.96.0.1:443",
      ca: "CLUSTER CA",
      tokenFile: join(accountDir, "token"),
    });
    expect(inClusterConnection({ host: "fd00::1", port: "443" }, accountDir).server).toBe(
      "https://[fd00::1]:443",
    );
  });

  it("outside a cluster, says to give a kubeconfig", () => {
    expect(() => inClusterConnection(undefined)).toThrow(/KUBERNETES_SERVICE_HOST\/PORT unset.*KUBECONFIG/);
  });
});
