import { readdirSync, readFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoFolder, startFakeDrive } from "../../tools/fake-drive/index.ts";
import { ensureImageImportApi } from "../support/image-import-api.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";
import { externalConnections, helmTemplate, parseManifests, repoRoot, runTool } from "./tools.ts";

const samplesDir = `${repoRoot}samples/`;
const samples = readdirSync(samplesDir).filter((file) => file.endsWith(".yaml"));

describe("samples/", () => {
  const namespace = uniqueName("chart-samples");

  beforeAll(async () => {
    await ensureImageImportApi();
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  });

  it("holds an ImageImport in every sample", () => {
    expect(samples.length).toBeGreaterThanOrEqual(4);
    for (const sample of samples) {
      const kinds = parseManifests(readFileSync(`${samplesDir}${sample}`, "utf8")).map(
        (object) => object.kind,
      );
      expect(kinds, sample).toContain("ImageImport");
    }
  });

  it.each(samples)("%s is accepted by the API server, CEL rules and all", async (sample) => {
    const applied = await runTool("kubectl", [
      "create",
      "--dry-run=server",
      "--validate=strict",
      "--namespace",
      namespace,
      "-f",
      `${samplesDir}${sample}`,
    ]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
  });

  it("fake-drive.yaml names the folder the chart's fake Drive serves (`--demo`)", async () => {
    const objects = await helmTemplate({ setJson: { ...externalConnections, "dev.enabled": true } });
    const fakeDrive = objects.find(
      (object) => object.kind === "Deployment" && object.metadata.name.endsWith("-fake-drive"),
    );
    const spec = fakeDrive?.["spec"] as { template: { spec: { containers: { args: string[] }[] } } };
    const args = spec.template.spec.containers[0]?.args ?? [];
    expect(args).toContain("--demo");
    expect(args).not.toContain("--seed");

    // The fake Drive names items from a fixed seed: the demo folder's id is the same in every run.
    const fake = await startFakeDrive({ host: "127.0.0.1", port: 0, apiKeys: ["fake-drive-key"] });
    try {
      const demo = seedDemoFolder(fake.tree);
      const sample = parseManifests(readFileSync(`${samplesDir}fake-drive.yaml`, "utf8"))[0];
      const source = (sample?.["spec"] as { source: { googleDrive: { folderUrl: string } } }).source;
      expect(source.googleDrive.folderUrl).toBe(`https://drive.google.com/drive/folders/${demo.rootId}`);
    } finally {
      await fake.close();
    }
  });
});
