import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { chartDir } from "./tools.ts";

/** One PromQL expression the chart ships, and where it lives (for failure messages). */
export interface ShippedQuery {
  where: string;
  expr: string;
}

export interface GrafanaTarget {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

export interface GrafanaPanel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}

export interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { type?: string; uid?: string };
}

export interface GrafanaDashboard {
  uid?: string;
  title?: string;
  templating?: { list?: GrafanaVariable[] };
  panels?: GrafanaPanel[];
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

export const dashboardFile = `${chartDir}files/grafana-dashboard.json`;
export const rulesFile = `${chartDir}files/prometheus-rules.yaml`;

export function loadDashboard(): GrafanaDashboard {
  return JSON.parse(readFileSync(dashboardFile, "utf8")) as GrafanaDashboard;
}

export function loadRules(): RuleFile {
  return parse(readFileSync(rulesFile, "utf8")) as RuleFile;
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/**
 * Grafana's variables replaced by values Prometheus accepts: intervals by a duration, anything else (label
 * values such as $namespace) by `value`.
 */
export function withGrafanaVariables(expr: string, value = "imagesync"): string {
  return expr
    .replace(/\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}/g, "5m")
    .replace(/\$\{(\w+)(:\w+)?\}|\$(\w+)/g, value);
}

/** The PromQL of every dashboard target and of the template variables' label_values() selectors. */
export function dashboardQueries(dashboard = loadDashboard()): ShippedQuery[] {
  const queries: ShippedQuery[] = [];
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== "query") continue;
    const query = typeof variable.query === "string" ? variable.query : (variable.query?.query ?? "");
    // label_values(<selector>, <label>) is Grafana's, not PromQL: its selector is.
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(query.trim())?.[1] ?? query;
    queries.push({ where: `dashboard variable $${variable.name}`, expr: withGrafanaVariables(selector) });
  }
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      queries.push({
        where: `dashboard panel "${panel.title ?? panel.id}" target ${target.refId ?? "?"}`,
        expr: withGrafanaVariables(target.expr ?? ""),
      });
    }
  }
  return queries;
}

/** The expression of every alert (and recording rule) in the chart's rule file. */
export function ruleQueries(rules = loadRules()): ShippedQuery[] {
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record ?? "?"}`, expr: rule.expr })),
  );
}
