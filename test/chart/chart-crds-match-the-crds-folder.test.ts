import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chartCrdDir, chartCrdTemplates, crdSourceObjects } from "../../tools/codegen/chart-crds.ts";
import { externalConnections, helmTemplate } from "./tools.ts";

const sources = crdSourceObjects();
const sourceKinds = new Set(sources.map((object) => object.kind));

describe("the chart's templates for crds/", () => {
  it("are what tools/codegen/chart-crds.ts generates from crds/ (run it after changing the CRD)", () => {
    for (const [name, text] of chartCrdTemplates()) {
      expect(readFileSync(`${chartCrdDir}${name}`, "utf8"), name).toBe(text);
    }
  });

  it("render to the crds/ objects plus the chart's labels and keep annotation", async () => {
    const rendered = (await helmTemplate({ setJson: externalConnections })).filter((object) =>
      sourceKinds.has(object.kind),
    );
    expect(rendered.map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort()).toEqual(
      sources.map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort(),
    );
    expect(sourceKinds).toEqual(
      new Set(["CustomResourceDefinition", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]),
    );
    for (const source of sources) {
      const object = rendered.find(
        ({ kind, metadata }) => kind === source.kind && metadata.name === source.metadata.name,
      );
      expect(object?.metadata.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
      expect(object?.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("imagesync");
      const { labels: _labels, annotations: _annotations, ...metadata } = object?.metadata ?? { name: "" };
      expect({ ...object, metadata }).toEqual(source);
    }
  });

  it("leave the admission policy out with crds.prefixWithinNamespace=false, and everything with crds.enabled=false", async () => {
    const kindsWith = async (values: Record<string, boolean>) =>
      (await helmTemplate({ setJson: { ...externalConnections, ...values } }))
        .map((object) => object.kind)
        .filter((kind) => sourceKinds.has(kind));
    expect(await kindsWith({ "crds.prefixWithinNamespace": false })).toEqual(["CustomResourceDefinition"]);
    expect(await kindsWith({ "crds.enabled": false })).toEqual([]);
  });
});
