import { readdirSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";
import { ensureThirdPartyCrds } from "./third-party-crds.ts";
import {
  ciValuesDir,
  externalConnections,
  helmTemplateResult,
  parseManifests,
  runTool,
  type RenderOptions,
} from "./tools.ts";

const core = adminKubeConfig().makeApiClient(CoreV1Api);

/** A namespace where the API server refuses (and warns about) pods that break the "restricted" profile. */
async function restrictedNamespace(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await core.createNamespace({
    body: {
      metadata: {
        name,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    },
  });
  return name;
}

interface ValueSet {
  name: string;
  options: (namespaces: string[]) => RenderOptions;
  /** Extra namespaces the rendered objects live in (the operator's watched namespaces). */
  extraNamespaces?: number;
}

const ciFiles = readdirSync(ciValuesDir).filter((file) => file.endsWith(".yaml"));

const valueSets: ValueSet[] = [
  ...ciFiles.map((file) => ({
    name: `ci/${file}`,
    extraNamespaces: 2,
    // Watched namespaces of this run, so RoleBindings land in namespaces that exist.
    options: (namespaces: string[]) => ({
      valuesFiles: [`${ciValuesDir}${file}`],
      setJson: file.startsWith("namespaced") ? { "operator.watchNamespaces": namespaces } : {},
    }),
  })),
  {
    name: "only the required connections, everything else default",
    options: () => ({ setJson: externalConnections }),
  },
  {
    name: "development servers without the fake Drive, fixed workers, no NetworkPolicies, PDBs or tests",
    options: () => ({
      setJson: {
        "dev.enabled": true,
        "dev.fakeDrive.enabled": false,
        "worker.autoscaling.mode": "none",
        "networkPolicy.enabled": false,
        "operator.podDisruptionBudget.enabled": false,
        "worker.podDisruptionBudget.enabled": false,
        "api.podDisruptionBudget.enabled": false,
        "tests.enabled": false,
      },
    }),
  },
  {
    name: "cluster-wide Secret access, ServiceAccounts made elsewhere, percentages in PDBs, a digest",
    options: () => ({
      setJson: {
        ...externalConnections,
        "operator.clusterWideSecretAccess": true,
        "operator.serviceAccount": { create: false, name: "imagesync-operator" },
        "worker.serviceAccount": { create: false, name: "imagesync-worker" },
        "api.serviceAccount": { create: false, name: "imagesync-api" },
        "api.podDisruptionBudget": { enabled: true, minAvailable: "50%", maxUnavailable: null },
        "image.digest": `sha256:${"ab".repeat(32)}`,
        "monitoring.scrape.kind": "PodMonitor",
        "monitoring.grafanaDashboard.enabled": true,
        "crds.keep": false,
      },
    }),
  },
];

/** Dry-runs `manifests` with server-side apply and strict field validation. */
function dryRun(manifests: string) {
  return runTool(
    "kubectl",
    [
      "apply",
      "--dry-run=server",
      "--server-side",
      "--force-conflicts",
      "--field-manager=imagesync-chart-dry-run",
      "--validate=strict",
      "-f",
      "-",
    ],
    { input: manifests },
  );
}

describe("every rendered manifest", () => {
  beforeAll(ensureThirdPartyCrds);

  it("is checked for the restricted profile: a container allowed to escalate privileges is reported", async () => {
    const namespace = await restrictedNamespace("chart-dry-run");
    const rendered = await helmTemplateResult({
      namespace,
      setJson: { ...externalConnections, containerSecurityContext: { allowPrivilegeEscalation: true } },
    });
    const applied = await dryRun(rendered.stdout);
    expect(applied.stderr).toMatch(
      /would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
  });

  it.each(valueSets)(
    "is accepted by the API server (dry run, strict fields, restricted pods): $name",
    async (set) => {
      const namespace = await restrictedNamespace("chart-dry-run");
      const extra: string[] = [];
      for (let i = 0; i < (set.extraNamespaces ?? 0); i++)
        extra.push(await restrictedNamespace("chart-watched"));
      const rendered = await helmTemplateResult({
        ...set.options(extra),
        namespace,
        release: uniqueName("dry"),
      });
      expect(rendered.stderr).toBe("");
      expect(rendered.code).toBe(0);

      const applied = await dryRun(rendered.stdout);
      // Warnings cover PodSecurity ("would violate PodSecurity"), duplicate env names and deprecated APIs.
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      const accepted = applied.stdout.split("\n").filter((line) => line.endsWith("(server dry run)"));
      expect(accepted).toHaveLength(parseManifests(rendered.stdout).length);
    },
  );
});
