import { readFileSync } from "node:fs";
import {
  ApiextensionsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { parse } from "yaml";
import { adminKubeConfig } from "./stack.ts";

const crdFile = new URL("../../crds/imagesync.io_imageimports.yaml", import.meta.url);

/**
 * Applies the ImageImport CRD from crds/ with server-side apply (idempotent, so every test file may call
 * it concurrently) and waits until the API server serves it.
 */
export async function ensureImageImportCrd(): Promise<void> {
  const api = adminKubeConfig().makeApiClient(ApiextensionsV1Api);
  const crd = parse(readFileSync(crdFile, "utf8")) as V1CustomResourceDefinition;
  const name = crd.metadata?.name ?? "";
  await api.patchCustomResourceDefinition(
    { name, body: crd, fieldManager: "imagesync-tests", force: true },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
  for (let attempt = 0; attempt < 200; attempt++) {
    const current = await api.readCustomResourceDefinition({ name });
    if (current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`CRD ${name} was not established`);
}
