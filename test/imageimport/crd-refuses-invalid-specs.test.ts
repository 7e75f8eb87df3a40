import { beforeAll, describe, expect, it } from "vitest";
import { ImageImportNamespace, refusalMessage } from "../support/image-import-api.ts";

const folderUrl = "https://drive.google.com/drive/folders/1AbCdEfGhIjK";

describe("the ImageImport CRD", () => {
  const namespace = new ImageImportNamespace("crd-specs");
  const create = (spec: Record<string, unknown>) => namespace.create(spec);
  const patch = (name: string, spec: Record<string, unknown>) => namespace.patchSpec(name, spec);

  beforeAll(() => namespace.setUp());

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
    expect(await refusalMessage(create({}))).toContain("spec.source: Required value");
    expect(
      await refusalMessage(create({ source: { googleDrive: { folderUrl } }, parallelism: 0 })),
    ).toContain("spec.parallelism");
    expect(
      await refusalMessage(create({ source: { googleDrive: { folderUrl } }, backoffLimitPerFile: 99 })),
    ).toContain("spec.backoffLimitPerFile");
    expect(
      await refusalMessage(create({ source: { googleDrive: { folderUrl, mimeTypes: ["images"] } } })),
    ).toContain("spec.source.googleDrive.mimeTypes[0]");
    expect(
      await refusalMessage(
        create({ source: { googleDrive: { folderUrl } }, destination: { bucket: "Bad_Bucket" } }),
      ),
    ).toContain("spec.destination.bucket");
    expect(
      await refusalMessage(create({ source: { googleDrive: { folderUrl } }, sync: { intervalSeconds: 5 } })),
    ).toContain("spec.sync.intervalSeconds");
  });

  it("keeps the source and the destination immutable", async () => {
    const created = await create({
      source: { googleDrive: { folderUrl } },
      destination: { prefix: `${namespace.name}/trips/` },
    });
    const name = created.metadata?.name ?? "";
    expect(
      await refusalMessage(patch(name, { source: { googleDrive: { folderUrl: `${folderUrl}XYZ` } } })),
    ).toContain("spec.source is immutable");
    expect(
      await refusalMessage(patch(name, { destination: { prefix: `${namespace.name}/elsewhere/` } })),
    ).toContain("spec.destination is immutable");
    expect(await refusalMessage(patch(name, { destination: { bucket: "photos" } }))).toContain(
      "spec.destination is immutable",
    );
  });

  it("refuses to undo a cancel and to lower retryGeneration", async () => {
    const created = await create({
      source: { googleDrive: { folderUrl } },
      cancel: true,
      retryGeneration: 2,
    });
    const name = created.metadata?.name ?? "";
    expect(await refusalMessage(patch(name, { cancel: false }))).toContain("spec.cancel cannot be undone");
    expect(await refusalMessage(patch(name, { retryGeneration: 1 }))).toContain(
      "spec.retryGeneration can only grow",
    );
    await expect(patch(name, { retryGeneration: 3 })).resolves.toBeDefined();
  });
});
