import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureImageImportApi } from "../support/image-import-api.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";
import { chartDir } from "./tools.ts";

const script = `${chartDir}files/helm-test.mjs`;

/** Runs the `helm test` pod's script as the pod would, pointed at the local API server and a stand-in API. */
function runHelmTest(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ATTEMPTS: "1", ...env } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

describe("the `helm test` pod's script", () => {
  const admin = adminKubeConfig();
  const cluster = admin.getCurrentCluster();
  const accountDir = mkdtempSync(join(tmpdir(), "imagesync-helm-test-"));
  let readyzStatus = 200;
  let api: Server;
  let apiUrl: string;

  beforeAll(async () => {
    await ensureImageImportApi();
    // A ServiceAccount bound to nothing: discovery is open to every authenticated identity.
    const core = admin.makeApiClient(CoreV1Api);
    const namespace = uniqueName("chart-helm-test");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "test" } } });
    const token = await core.createNamespacedServiceAccountToken({
      namespace,
      name: "test",
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    writeFileSync(join(accountDir, "token"), token.status?.token ?? "");
    writeFileSync(join(accountDir, "ca.crt"), Buffer.from(cluster?.caData ?? "", "base64"));

    api = createServer((request, response) => {
      response.writeHead(request.url === "/readyz" ? readyzStatus : 404).end();
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    api.close();
  });

  const podEnv = () => ({
    IMAGESYNC_API_URL: apiUrl,
    KUBERNETES_API_URL: cluster?.server ?? "",
    SERVICE_ACCOUNT_DIR: accountDir,
    NODE_EXTRA_CA_CERTS: join(accountDir, "ca.crt"),
  });

  it("passes when the API is ready and the API server serves imageimports.imagesync.io", async () => {
    readyzStatus = 200;
    const result = await runHelmTest(podEnv());
    expect(result.output).toContain("ok   the REST API answers");
    expect(result.output).toContain("ok   the CRD is served");
    expect(result.code).toBe(0);
  });

  it("fails, saying why, when the API is not ready", async () => {
    readyzStatus = 503;
    const result = await runHelmTest(podEnv());
    expect(result.output).toContain(`FAIL the REST API answers: GET ${apiUrl}/readyz answered 503`);
    expect(result.code).toBe(1);
  });

  it("fails when the API server does not accept the pod's token", async () => {
    readyzStatus = 200;
    const otherDir = mkdtempSync(join(tmpdir(), "imagesync-helm-test-"));
    writeFileSync(join(otherDir, "token"), "not-a-token");
    const result = await runHelmTest({ ...podEnv(), SERVICE_ACCOUNT_DIR: otherDir });
    expect(result.output).toContain("FAIL the CRD is served: GET /apis/imagesync.io/v1alpha1 answered 401");
    expect(result.code).toBe(1);
  });
});
