import { beforeAll, describe, expect, it } from "vitest";
import { folderUrlCases } from "../../lib/imageimport/folder-url.cases.ts";
import { parseFolderUrl } from "../../lib/imageimport/folder-url.ts";
import { ImageImportNamespace, refusalMessage } from "../support/image-import-api.ts";

/** The REST API validates with parseFolderUrl before it creates anything; kubectl meets the CRD's CEL. Both must agree. */
describe("the CRD's folderUrl validation", () => {
  const namespace = new ImageImportNamespace("crd-urls");

  beforeAll(() => namespace.setUp());

  it.each(folderUrlCases)("agrees with parseFolderUrl on $input", async ({ input }) => {
    const parsed = parseFolderUrl(input);
    const created = namespace.create({ source: { googleDrive: { folderUrl: input } } }, { dryRun: true });
    if (parsed.ok) {
      await expect(created).resolves.toMatchObject({
        spec: { source: { googleDrive: { folderUrl: input } } },
      });
    } else {
      expect(await refusalMessage(created)).toContain(parsed.message);
    }
  });
});
