import { readdirSync } from "node:fs";
import { waitUntilEstablished } from "../../tools/localstack/image-import-api.ts";
import { adminKubeConfig } from "../support/stack.ts";
import { mustRun } from "./tools.ts";

const fixtures = new URL("./fixtures/crds/", import.meta.url).pathname;

/**
 * Installs the Prometheus Operator and KEDA CRDs the chart's optional objects need (server-side apply, so
 * test files may race), and waits until the API server serves them.
 */
export async function ensureThirdPartyCrds(): Promise<void> {
  const files = readdirSync(fixtures).filter((file) => file.endsWith(".yaml"));
  for (const file of files) {
    await mustRun("kubectl", [
      "apply",
      "--server-side",
      "--force-conflicts",
      "--field-manager=imagesync-chart-tests",
      "-f",
      `${fixtures}${file}`,
    ]);
  }
  for (const name of [
    "servicemonitors.monitoring.coreos.com",
    "podmonitors.monitoring.coreos.com",
    "prometheusrules.monitoring.coreos.com",
    "scaledobjects.keda.sh",
  ]) {
    await waitUntilEstablished(adminKubeConfig(), name);
  }
}
