import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { imageImportApi } from "../../lib/imageimport/api.ts";
import { crdSourceObjects } from "../codegen/chart-crds.ts";

/**
 * Installs the ImageImport API from crds/ as the chart does (its CRD and admission policy) with server-side
 * apply (idempotent, so concurrent callers are fine), and waits until the API server serves the CRD and
 * enforces the policy.
 */
export async function installImageImportApi(kubeConfig: KubeConfig): Promise<void> {
  const objects = crdSourceObjects();
  const apply = serverSideAppliers(kubeConfig);
  for (const object of objects) {
    const applyKind = apply[object.kind];
    if (applyKind === undefined)
      throw new Error(`crds/ holds a ${object.kind}, which the local stack cannot apply`);
    await applyKind(object.metadata.name, object);
  }
  const crd = objects.find((object) => object.kind === "CustomResourceDefinition");
  await waitUntilEstablished(kubeConfig, crd?.metadata.name ?? "");
  await waitUntilPolicyEnforced(kubeConfig);
}

// How long the API server may take to serve what was applied: seconds when idle, more on a loaded CI machine.
const waitLimitMs = 60_000;

/** Server-side apply of each kind crds/ holds (the generic object client would drop the schema's x- fields). */
function serverSideAppliers(
  kubeConfig: KubeConfig,
): Record<string, (name: string, body: object) => Promise<unknown>> {
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const options = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
  const request = (name: string, body: object) => ({
    name,
    body,
    fieldManager: "imagesync-localstack",
    force: true,
  });
  return {
    CustomResourceDefinition: (name, body) =>
      extensions.patchCustomResourceDefinition(request(name, body), options),
    ValidatingAdmissionPolicy: (name, body) =>
      admission.patchValidatingAdmissionPolicy(request(name, body), options),
    ValidatingAdmissionPolicyBinding: (name, body) =>
      admission.patchValidatingAdmissionPolicyBinding(request(name, body), options),
  };
}

/**
 * Waits until the API server serves CRD `name`. (`kubectl wait --for=condition=Established` instead fails
 * outright when it reads the CRD before the API server has written any condition.)
 */
export async function waitUntilEstablished(kubeConfig: KubeConfig, name: string): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const deadline = Date.now() + waitLimitMs; Date.now() < deadline;) {
    const current = await api.readCustomResourceDefinition({ name });
    if (current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(50);
  }
  throw new Error(`CRD ${name} was not established after ${waitLimitMs / 1000} s`);
}

/**
 * The API server enforces a new policy only once its informer has it: until then a dry run of an import that
 * writes outside its namespace is accepted.
 */
async function waitUntilPolicyEnforced(kubeConfig: KubeConfig): Promise<void> {
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const outsider = {
    apiVersion: imageImportApi.apiVersion,
    kind: imageImportApi.kind,
    metadata: { name: "policy-probe" },
    spec: {
      source: { googleDrive: { folderUrl: "https://drive.google.com/drive/folders/policy-probe-0" } },
      destination: { prefix: "not-default/" },
    },
  };
  for (const deadline = Date.now() + waitLimitMs; Date.now() < deadline;) {
    try {
      await objects.createNamespacedCustomObject({
        ...imageImportApi,
        namespace: "default",
        body: outsider,
        dryRun: "All",
      });
    } catch (error) {
      const body = error instanceof ApiException ? String(error.body) : "";
      if (body.includes("ValidatingAdmissionPolicy")) return;
      throw error;
    }
    await sleep(50);
  }
  throw new Error(`the ImageImport admission policy was not enforced after ${waitLimitMs / 1000} s`);
}
