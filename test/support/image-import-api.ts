import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { expect } from "vitest";
import { imageImportApi } from "../../lib/imageimport/api.ts";
import type { ImageImport } from "../../lib/imageimport/types.generated.ts";
import { installImageImportApi } from "../../tools/localstack/image-import-api.ts";
import { adminKubeConfig, uniqueName } from "./stack.ts";

/** Installs the ImageImport API (CRD and admission policy) on the test stack's API server; safe to call from every test file. */
export async function ensureImageImportApi(): Promise<void> {
  await installImageImportApi(adminKubeConfig());
}

/** A namespace of its own for a test file, and the admin's ImageImport calls in it. */
export class ImageImportNamespace {
  readonly name: string;
  readonly #objects = adminKubeConfig().makeApiClient(CustomObjectsApi);

  constructor(prefix: string) {
    this.name = uniqueName(prefix);
  }

  /** Installs the ImageImport API and creates the namespace: a test file's beforeAll. */
  async setUp(): Promise<void> {
    await ensureImageImportApi();
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: this.name } } });
  }

  /** Creates an ImageImport with a generated name (`dryRun`: only asks the API server whether it would). */
  create(spec: Record<string, unknown>, options: { dryRun?: boolean } = {}): Promise<ImageImport> {
    return this.#objects.createNamespacedCustomObject({
      ...imageImportApi,
      namespace: this.name,
      ...(options.dryRun === true ? { dryRun: "All" } : {}),
      body: {
        apiVersion: imageImportApi.apiVersion,
        kind: imageImportApi.kind,
        metadata: { name: uniqueName("imp") },
        spec,
      },
    }) as Promise<ImageImport>;
  }

  /** Merge-patches an ImageImport's spec. */
  patchSpec(name: string, spec: Record<string, unknown>): Promise<ImageImport> {
    return this.#objects.patchNamespacedCustomObject(
      { ...imageImportApi, namespace: this.name, name, body: { spec } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    ) as Promise<ImageImport>;
  }

  get(name: string): Promise<ImageImport> {
    return this.#objects.getNamespacedCustomObject({
      ...imageImportApi,
      namespace: this.name,
      name,
    }) as Promise<ImageImport>;
  }
}

/** The message of the API server's 422 refusal of `request`; fails the test when it was accepted. */
export async function refusalMessage(request: Promise<unknown>): Promise<string> {
  const outcome = await request.then(
    () => ({ code: 200, body: '{"message":"accepted"}' }),
    (error: { code?: number; body?: string }) => error,
  );
  expect(outcome.code).toBe(422);
  return (JSON.parse(outcome.body ?? "{}") as { message?: string }).message ?? "";
}
