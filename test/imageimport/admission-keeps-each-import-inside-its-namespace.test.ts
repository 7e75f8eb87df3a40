import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { imageImportApi } from "../../lib/imageimport/api.ts";
import type { ImageImport } from "../../lib/imageimport/types.generated.ts";
import { ensureImageImportApi } from "../support/image-import-api.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";

const source = { googleDrive: { folderUrl: "https://drive.google.com/drive/folders/1AbCdEfGhIjK" } };

describe("the ImageImport admission policy (crds/imagesync.io_imageimports-destination-policy.yaml)", () => {
  const namespace = uniqueName("prefix-policy");
  const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    await ensureImageImportApi();
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  });

  function create(destination: Record<string, string> | undefined): Promise<ImageImport> {
    return objects.createNamespacedCustomObject({
      ...imageImportApi,
      namespace,
      body: {
        apiVersion: imageImportApi.apiVersion,
        kind: imageImportApi.kind,
        metadata: { name: uniqueName("imp") },
        spec: { source, ...(destination === undefined ? {} : { destination }) },
      },
    }) as Promise<ImageImport>;
  }

  function patchSpec(name: string, spec: Record<string, unknown>): Promise<unknown> {
    return objects.patchNamespacedCustomObject(
      { ...imageImportApi, namespace, name, body: { spec } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  async function refusal(request: Promise<unknown>): Promise<string> {
    const outcome = await request.then(
      () => ({ code: 200, body: "accepted" }),
      (error: { code?: number; body?: string }) => error,
    );
    expect(outcome.code).toBe(422);
    return outcome.body ?? "";
  }

  it("accepts the default prefix and any prefix under the import's namespace", async () => {
    await expect(create(undefined)).resolves.toBeDefined();
    await expect(create({ prefix: "" })).resolves.toBeDefined();
    const created = await create({ bucket: "photos", prefix: `${namespace}/trips/2026/` });
    expect(created.spec.destination).toEqual({ bucket: "photos", prefix: `${namespace}/trips/2026/` });
  });

  it("refuses a prefix in another namespace's folder, naming the prefix and the rule", async () => {
    const message = await refusal(create({ prefix: "default/demo/" }));
    expect(message).toContain(
      `spec.destination.prefix \\"default/demo/\\" must start with \\"${namespace}/\\"`,
    );
    expect(message).toContain("writes only under its own namespace");
  });

  it("refuses a prefix that only begins with the namespace's name, not its folder", async () => {
    expect(await refusal(create({ prefix: `${namespace}-other/` }))).toContain(
      `must start with \\"${namespace}/\\"`,
    );
    expect(await refusal(create({ prefix: "shared/" }))).toContain("spec.destination.prefix");
  });

  it("refuses moving an import's prefix out of its namespace, and lets every other change through", async () => {
    const created = await create({ prefix: `${namespace}/albums/` });
    const name = created.metadata?.name ?? "";
    expect(await refusal(patchSpec(name, { destination: { prefix: "elsewhere/" } }))).toContain(
      "spec.destination.prefix",
    );
    await patchSpec(name, { suspend: true, destination: { prefix: `${namespace}/albums-2/` } });
    const current = (await objects.getNamespacedCustomObject({
      ...imageImportApi,
      namespace,
      name,
    })) as ImageImport;
    expect(current.spec).toMatchObject({ suspend: true, destination: { prefix: `${namespace}/albums-2/` } });
  });
});
