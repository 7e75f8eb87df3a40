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
import { crdSourceObjects, type SourceObject } from "../codegen/chart-crds.ts";

/**
 * Installs the ImageImport API from crds/ as the chart does (its CRD and admission policy) with server-side
 * apply (idempotent, so concurrent callers are fine), and waits until the API server serves the CRD and
 * enforces the policy.
 */
export async function installImageImportApi(kubeConfig: KubeConfig): Promise<void> {
  const objects = crdSourceObjects();
  const apply = crdObjectPatcher(kubeConfig, PatchStrategy.ServerSideApply);
  for (const object of objects) await apply(object, object);
  const crd = objects.find((object) => object.kind === "CustomResourceDefinition");
  await waitUntilEstablished(kubeConfig, crd?.metadata.name ?? "");
  await waitUntilPolicyEnforced(kubeConfig);
}

// How long the API server may take to serve what was applied: seconds when idle, more on a loaded CI machine.
const waitLimitMs = 60_000;

/**
 * Patches an object of a kind crds/ holds with `body`, through that kind's typed client (the generic object
 * client would drop the schema's x- fields): server-side apply as the local stack's field manager, or a merge
 * patch of just what `body` names.
 */
export function crdObjectPatcher(
  kubeConfig: KubeConfig,
  strategy: typeof PatchStrategy.ServerSideApply | typeof PatchStrategy.MergePatch,
): (target: SourceObject, body: object) => Promise<unknown> {
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const options = setHeaderOptions("Content-Type", strategy);
  // A server-side apply names its field manager and takes over fields others set; a merge patch may do neither.
  const owner =
    strategy === PatchStrategy.ServerSideApply ? { fieldManager: "imagesync-localstack", force: true } : {};
  const patchers: Record<string, (request: { name: string; body: object }) => Promise<unknown>> = {
    CustomResourceDefinition: (request) =>
      extensions.patchCustomResourceDefinition({ ...request, ...owner }, options),
    ValidatingAdmissionPolicy: (request) =>
      admission.patchValidatingAdmissionPolicy({ ...request, ...owner }, options),
    ValidatingAdmissionPolicyBinding: (request) =>
      admission.patchValidatingAdmissionPolicyBinding({ ...request, ...owner }, options),
  };
  return (target, body) => {
    const patch = patchers[target.kind];
    if (patch === undefined)
      throw new Error(`crds/ holds a ${target.kind}, which the local stack cannot patch`);
    return patch({ name: target.metadata.name, body });
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
