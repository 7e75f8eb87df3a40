import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chartDir, ciValuesDir, kubeVersion, runTool } from "./tools.ts";

const valueSets = readdirSync(ciValuesDir).filter((file) => file.endsWith(".yaml"));

describe("helm lint --strict", () => {
  it("has value sets to lint", () => {
    expect(valueSets.length).toBeGreaterThanOrEqual(3);
  });

  it.each(valueSets)("passes with ci/%s", async (file) => {
    const result = await runTool("helm", [
      "lint",
      "--strict",
      chartDir,
      "--namespace",
      "imagesync",
      "--kube-version",
      await kubeVersion(),
      "--values",
      `${ciValuesDir}${file}`,
    ]);
    expect(result.stdout + result.stderr).toContain("0 chart(s) failed");
    expect(result.code).toBe(0);
  });
});
