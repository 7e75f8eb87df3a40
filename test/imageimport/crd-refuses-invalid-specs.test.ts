import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { imageImportApi } from "../../lib/imageimport/api.ts";
import type { ImageImport } from "../../lib/imageimport/types.generated.ts";
import { ensureImageImportApi } from "../support/image-import-api.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";

const folderUrl = "https://drive.google.com/drive/folders/1AbCdEfGhIjK";

describe("the ImageImport CRD", () => {
  const namespace = uniqueName("crd-specs");
  const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    await ensureImageImportApi();
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  });

  async function create(spec: Record<string, unknown>): Promise<ImageImport> {
    return (await objects.createNamespacedCustomObject({
      ...imageImportApi,
      namespace,
      body: {
        apiVersion: imageImportApi.apiVersion,
        kind: imageImportApi.kind,
        metadata: { name: uniqueName("imp") },
        spec,
      },
    })) as ImageImport;
  }

  async function rejection(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then<{ code?: number; body?: string }, { code?: number; body?: string }>(
      () => ({ code: 200, body: "accepted" }),
      (e: { code?: number; body?: string }) => e,
    );
    expect(error.code).toBe(422);
    return error.body ?? "";
  }

  async function patch(name: string, spec: Record<string, unknown>): Promise<unknown> {
    return objects.patchNamespacedCustomObject(
      { ...imageImportApi, namespace, name, body: { spec } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  it("applies the documented defaults", async () => {
    const created = await create({ source: { googleDrive: { folderUrl } } });
    expect(created.spec).toMatchObject({
      source: { googleDrive: { folderUrl, recursive: true, mimeTypes: ["image/*"] } },
      destination: {},
      suspend: false,
      cancel: false,
      retryGeneration: 0,
      backoffLimitPerFile: 4,
      parallelism: 1000,
    });
  });

  it("refuses a missing source, out-of-range numbers and malformed patterns with messages naming the field", async () => {
    expect(await rejection(create({}))).toContain("spec.source: Required value");
    expect(await rejection(create({ source: { googleDrive: { folderUrl } }, parallelism: 0 }))).toContain(
      "spec.parallelism",
    );
    expect(
      await rejection(create({ source: { googleDrive: { folderUrl } }, backoffLimitPerFile: 99 })),
    ).toContain("spec.backoffLimitPerFile");
    expect(
      await rejection(create({ source: { googleDrive: { folderUrl, mimeTypes: ["images"] } } })),
    ).toContain("spec.source.googleDrive.mimeTypes[0]");
    expect(
      await rejection(
        create({ source: { googleDrive: { folderUrl } }, destination: { bucket: "Bad_Bucket" } }),
      ),
    ).toContain("spec.destination.bucket");
    expect(
      await rejection(create({ source: { googleDrive: { folderUrl } }, sync: { intervalSeconds: 5 } })),
    ).toContain("spec.sync.intervalSeconds");
  });

  it("keeps the source immutable", async () => {
    const created = await create({ source: { googleDrive: { folderUrl } } });
    const body = await rejection(
      patch(created.metadata?.name ?? "", { source: { googleDrive: { folderUrl: `${folderUrl}XYZ` } } }),
    );
    expect(body).toContain("spec.source is immutable");
  });

  it("refuses to undo a cancel and to lower retryGeneration", async () => {
    const created = await create({
      source: { googleDrive: { folderUrl } },
      cancel: true,
      retryGeneration: 2,
    });
    const name = created.metadata?.name ?? "";
    expect(await rejection(patch(name, { cancel: false }))).toContain("spec.cancel cannot be undone");
    expect(await rejection(patch(name, { retryGeneration: 1 }))).toContain(
      "spec.retryGeneration can only grow",
    );
    await expect(patch(name, { retryGeneration: 3 })).resolves.toBeDefined();
  });
});
