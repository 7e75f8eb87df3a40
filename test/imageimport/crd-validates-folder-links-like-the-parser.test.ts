import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { imageImportApi } from "../../lib/imageimport/api.ts";
import { folderUrlCases } from "../../lib/imageimport/folder-url.cases.ts";
import { parseFolderUrl } from "../../lib/imageimport/folder-url.ts";
import { ensureImageImportApi } from "../support/image-import-api.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";

/** The REST API validates with parseFolderUrl before it creates anything; kubectl meets the CRD's CEL. Both must agree. */
describe("the CRD's folderUrl validation", () => {
  const namespace = uniqueName("crd-urls");
  const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    await ensureImageImportApi();
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  });

  it.each(folderUrlCases)("agrees with parseFolderUrl on $input", async ({ input }) => {
    const parsed = parseFolderUrl(input);
    const created = objects.createNamespacedCustomObject({
      ...imageImportApi,
      namespace,
      dryRun: "All",
      body: {
        apiVersion: imageImportApi.apiVersion,
        kind: imageImportApi.kind,
        metadata: { name: uniqueName("url") },
        spec: { source: { googleDrive: { folderUrl: input } } },
      },
    });
    if (parsed.ok) {
      await expect(created).resolves.toMatchObject({
        spec: { source: { googleDrive: { folderUrl: input } } },
      });
    } else {
      await expect(created).rejects.toMatchObject({ code: 422 });
      const body = (await created.catch((error: { body?: string }) => error.body)) as string;
      expect((JSON.parse(body) as { message: string }).message).toContain(parsed.message);
    }
  });
});
