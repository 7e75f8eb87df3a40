import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartCrdDir, chartCrdTemplates, crdSourceDir } from "../../tools/codegen/chart-crds.ts";
import { externalConnections, helmTemplate } from "./tools.ts";

describe("the chart's CRD templates", () => {
  it("are what tools/codegen/chart-crds.ts generates from crds/ (run it after changing the CRD)", () => {
    for (const [name, text] of chartCrdTemplates()) {
      expect(readFileSync(`${chartCrdDir}${name}`, "utf8"), name).toBe(text);
    }
  });

  it("render to the crds/ definitions plus the chart's labels and keep annotation", async () => {
    const rendered = (await helmTemplate({ setJson: externalConnections })).filter(
      (object) => object.kind === "CustomResourceDefinition",
    );
    const sources = [...chartCrdTemplates().keys()].map(
      (name) => parse(readFileSync(`${crdSourceDir}${name}`, "utf8")) as { metadata: { name: string } },
    );
    expect(rendered.map((crd) => crd.metadata.name).sort()).toEqual(
      sources.map((crd) => crd.metadata.name).sort(),
    );
    for (const source of sources) {
      const crd = rendered.find((object) => object.metadata.name === source.metadata.name);
      expect(crd?.metadata.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
      expect(crd?.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("imagesync");
      const { labels: _labels, annotations: _annotations, ...metadata } = crd?.metadata ?? { name: "" };
      expect({ ...crd, metadata }).toEqual(source);
    }
  });
});
