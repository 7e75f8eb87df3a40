import { applyImageImportCrd } from "../../tools/localstack/crds.ts";
import { adminKubeConfig } from "./stack.ts";

/** Applies the ImageImport CRD to the test stack's API server; safe to call from every test file. */
export async function ensureImageImportCrd(): Promise<void> {
  await applyImageImportCrd(adminKubeConfig());
}
