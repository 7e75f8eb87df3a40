import { readdirSync } from "node:fs";
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
  await mustRun("kubectl", [
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/servicemonitors.monitoring.coreos.com",
    "crd/podmonitors.monitoring.coreos.com",
    "crd/prometheusrules.monitoring.coreos.com",
    "crd/scaledobjects.keda.sh",
  ]);
}
