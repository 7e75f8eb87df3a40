import { installImageImportApi } from "../../tools/localstack/image-import-api.ts";
import { adminKubeConfig } from "./stack.ts";

/** Installs the ImageImport API (CRD and admission policy) on the test stack's API server; safe to call from every test file. */
export async function ensureImageImportApi(): Promise<void> {
  await installImageImportApi(adminKubeConfig());
}
