import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { folderLinkPattern, folderUrlMessages, parseFolderUrl } from "./folder-url.ts";
import { folderUrlCases } from "./folder-url.cases.ts";

describe("parseFolderUrl", () => {
  it.each(folderUrlCases.filter((c) => c.folder !== undefined))("accepts $input", ({ input, folder }) => {
    expect(parseFolderUrl(input)).toEqual({ ok: true, folder });
  });

  it.each(folderUrlCases.filter((c) => c.folder === undefined))("rejects $input", ({ input, fileLink }) => {
    expect(parseFolderUrl(input)).toEqual({
      ok: false,
      message: fileLink === true ? folderUrlMessages.fileLink : folderUrlMessages.notAFolderLink,
    });
  });

  it("uses the very pattern and messages of the CRD's validation rules", () => {
    const crd = readFileSync(new URL("../../crds/imagesync.io_imageimports.yaml", import.meta.url), "utf8");
    expect(crd).toContain(`self.matches('${folderLinkPattern}')`);
    expect(crd).toContain(folderUrlMessages.fileLink);
    expect(crd).toContain(folderUrlMessages.notAFolderLink);
  });
});
