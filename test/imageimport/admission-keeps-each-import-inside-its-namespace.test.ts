import { beforeAll, describe, expect, it } from "vitest";
import { ImageImportNamespace, refusalMessage } from "../support/image-import-api.ts";

const source = { googleDrive: { folderUrl: "https://drive.google.com/drive/folders/1AbCdEfGhIjK" } };

describe("the ImageImport admission policy (crds/imagesync.io_imageimports-destination-policy.yaml)", () => {
  const namespace = new ImageImportNamespace("prefix-policy");
  const create = (destination?: Record<string, string>) =>
    namespace.create({ source, ...(destination === undefined ? {} : { destination }) });

  beforeAll(() => namespace.setUp());

  it("accepts the default prefix and any prefix under the import's namespace", async () => {
    await expect(create()).resolves.toBeDefined();
    await expect(create({ prefix: "" })).resolves.toBeDefined();
    const created = await create({ bucket: "photos", prefix: `${namespace.name}/trips/2026/` });
    expect(created.spec.destination).toEqual({ bucket: "photos", prefix: `${namespace.name}/trips/2026/` });
  });

  it("refuses a prefix in another namespace's folder, naming the prefix and the rule", async () => {
    const message = await refusalMessage(create({ prefix: "default/demo/" }));
    expect(message).toContain(`spec.destination.prefix "default/demo/" must start with "${namespace.name}/"`);
    expect(message).toContain("writes only under its own namespace");
  });

  it("refuses a prefix that only begins with the namespace's name, not its folder", async () => {
    expect(await refusalMessage(create({ prefix: `${namespace.name}-other/` }))).toContain(
      `must start with "${namespace.name}/"`,
    );
    expect(await refusalMessage(create({ prefix: "shared/" }))).toContain("spec.destination.prefix");
  });

  it("checks creation only (the CRD keeps the destination immutable): other changes go through", async () => {
    const name = (await create({ prefix: `${namespace.name}/albums/` })).metadata?.name ?? "";
    await namespace.patchSpec(name, { suspend: true });
    expect((await namespace.get(name)).spec).toMatchObject({
      suspend: true,
      destination: { prefix: `${namespace.name}/albums/` },
    });
  });
});
