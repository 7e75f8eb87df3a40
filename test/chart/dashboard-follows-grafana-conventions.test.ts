import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { allPanels, dashboardQueries, loadDashboard } from "./monitoring-assets.ts";
import { runTool } from "./tools.ts";

const dashboard = loadDashboard();
const panels = allPanels(dashboard);
const dataPanels = panels.filter((panel) => panel.type !== "row");

describe("the Grafana dashboard", () => {
  it("picks its Prometheus through a ${datasource} template variable", () => {
    expect(dashboard.templating?.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    );
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type === "query") expect(variable.datasource?.uid, variable.name).toBe("${datasource}");
    }
    for (const panel of dataPanels) {
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid ?? "${datasource}", panel.title).toBe("${datasource}");
      }
    }
  });

  it("has a stable uid and unique panel ids", () => {
    expect(dashboard.uid).toBe("imagesync");
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => typeof id === "number")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("gives every panel a unit and queries with an expression, filtered by $namespace", () => {
    expect(dataPanels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dataPanels) {
      expect(panel.fieldConfig?.defaults?.unit, panel.title).toMatch(/\S/);
      expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, `${panel.title}: refIds`).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.expr, `${panel.title} ${target.refId}`).toMatch(/\S/);
        expect(target.expr, `${panel.title} ${target.refId}`).toContain('namespace="$namespace"');
      }
    }
  });

  it("lays panels out on the 24-column grid without overlaps", () => {
    const boxes = panels.map((panel) => ({ title: panel.title, x: 0, y: 0, w: 0, h: 0, ...panel.gridPos }));
    for (const box of boxes) {
      expect(box.w, box.title).toBeGreaterThan(0);
      expect(box.x + box.w, box.title).toBeLessThanOrEqual(24);
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlaps = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlaps, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });

  it("shows imports by state, files/s, bytes/s, backlog, error reasons, stage durations, workers and the operator queue", () => {
    const exprs = dashboardQueries(dashboard)
      .map((query) => query.expr)
      .join("\n");
    for (const metric of [
      "imagesync_operator_imports",
      "imagesync_worker_files_total",
      "imagesync_worker_bytes_total",
      "imagesync_operator_worker_backlog_tasks",
      "imagesync_worker_retries_total",
      "imagesync_worker_stage_duration_seconds_bucket",
      "imagesync_operator_worker_desired_replicas",
      "workqueue_depth",
    ]) {
      expect(exprs).toContain(metric);
    }
  });

  it("holds only PromQL that promtool parses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "imagesync-dashboard-"));
    const file = join(dir, "dashboard-queries.yaml");
    const rules = dashboardQueries(dashboard).map((query, index) => ({
      record: `dashboard:query_${index}`,
      expr: query.expr,
    }));
    writeFileSync(file, stringify({ groups: [{ name: "dashboard", rules }] }));
    const result = await runTool("promtool", ["check", "rules", file]);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
