import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadRules, rulesFile } from "./monitoring-assets.ts";
import { externalConnections, helmTemplate, repoRoot, runTool } from "./tools.ts";

const unitTestsFile = `${repoRoot}monitoring/alerts.test.yaml`;

interface Alert {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface UnitTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const alerts = loadRules().groups.flatMap((group) => group.rules as Alert[]);

describe("the chart's alerts", () => {
  it("pass `promtool check rules`", async () => {
    const result = await runTool("promtool", ["check", "rules", rulesFile]);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.code).toBe(0);
  });

  it("pass their unit tests (`promtool test rules monitoring/alerts.test.yaml`)", async () => {
    const result = await runTool("promtool", ["test", "rules", unitTestsFile]);
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.code).toBe(0);
  });

  it.each(alerts.map((alert) => [alert.alert, alert] as const))(
    "%s has a severity, a summary, a description, a runbook, and a unit test where it fires",
    (name, alert) => {
      expect(["warning", "critical"]).toContain(alert.labels?.["severity"]);
      for (const annotation of ["summary", "description", "runbook"]) {
        expect(alert.annotations?.[annotation]?.length ?? 0, annotation).toBeGreaterThan(20);
      }
      const unitTests = parse(readFileSync(unitTestsFile, "utf8")) as UnitTests;
      const firing = unitTests.tests
        .flatMap((test) => test.alert_rule_test ?? [])
        .filter((test) => test.alertname === name && test.exp_alerts.length > 0);
      expect(firing.length, `no unit test where ${name} fires`).toBeGreaterThan(0);
    },
  );

  it("ship in the PrometheusRule unchanged, with the configured labels, runbook links and omissions", async () => {
    const objects = await helmTemplate({
      setJson: {
        ...externalConnections,
        "monitoring.prometheusRule": {
          enabled: true,
          labels: { release: "kube-prometheus-stack" },
          additionalRuleLabels: { team: "platform", severity: "overridden?" },
          disabledAlerts: ["ImageSyncWorkerErrorRateHigh"],
          runbookBaseUrl: "https://runbooks.example.com/imagesync",
        },
      },
    });
    const rule = objects.find((object) => object.kind === "PrometheusRule");
    expect(rule?.metadata.labels?.["release"]).toBe("kube-prometheus-stack");
    const shipped = (rule?.["spec"] as { groups: { rules: Alert[] }[] }).groups.flatMap(
      (group) => group.rules,
    );
    expect(shipped.map((alert) => alert.alert)).toEqual(
      alerts.map((alert) => alert.alert).filter((name) => name !== "ImageSyncWorkerErrorRateHigh"),
    );
    for (const alert of shipped) {
      const source = alerts.find((candidate) => candidate.alert === alert.alert);
      expect(alert.expr).toBe(source?.expr);
      expect(alert.for).toBe(source?.for);
      // The alert's own severity wins over an additional label of the same name.
      expect(alert.labels).toEqual({
        ...source?.labels,
        team: "platform",
        severity: source?.labels?.["severity"],
      });
      expect(alert.annotations).toEqual({
        ...source?.annotations,
        runbook_url: `https://runbooks.example.com/imagesync#${alert.alert.toLowerCase()}`,
      });
    }
  });
});
