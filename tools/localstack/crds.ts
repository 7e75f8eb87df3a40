import { readFileSync } from "node:fs";
import {
  ApiextensionsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "yaml";

const crdFile = new URL("../../crds/imagesync.io_imageimports.yaml", import.meta.url);

/**
 * Applies the ImageImport CRD from crds/ with server-side apply (idempotent, so concurrent callers are
 * fine) and waits until the API server serves it.
 */
export async function applyImageImportCrd(kubeConfig: KubeConfig): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crd = parse(readFileSync(crdFile, "utf8")) as V1CustomResourceDefinition;
  const name = crd.metadata?.name ?? "";
  await api.patchCustomResourceDefinition(
    { name, body: crd, fieldManager: "imagesync-localstack", force: true },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
  for (let attempt = 0; attempt < 200; attempt++) {
    const current = await api.readCustomResourceDefinition({ name });
    if (current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(50);
  }
  throw new Error(`CRD ${name} was not established after 10 s`);
}
