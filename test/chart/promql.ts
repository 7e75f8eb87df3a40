/**
 * The metric names a PromQL expression reads: enough of PromQL's lexer to tell metric names from functions,
 * aggregation operators, keywords, label names, strings and durations. Syntax errors are promtool's and
 * Prometheus' business (see the tests that run them); this only needs to see every name.
 */

type Token =
  | { kind: "identifier"; text: string }
  | { kind: "string"; text: string }
  | { kind: "punctuation"; text: string }
  | { kind: "other"; text: string };

// Words that are never metric names where they stand (https://prometheus.io/docs/prometheus/latest/querying/).
const keywords = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "atan2",
  "inf",
  "nan",
]);
// Followed by a parenthesised list of label names.
const labelListKeywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const rest = expr.slice(i);
    const space = /^\s+|^#[^\n]*/.exec(rest);
    if (space !== null) {
      i += space[0].length;
      continue;
    }
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      let end = 1;
      while (end < rest.length && rest[end] !== quote) end += rest[end] === "\\" && quote !== "`" ? 2 : 1;
      if (end >= rest.length) throw new Error(`unterminated string in: ${expr}`);
      const raw = rest.slice(1, end);
      tokens.push({ kind: "string", text: quote === "`" ? raw : raw.replace(/\\(.)/g, "$1") });
      i += end + 1;
      continue;
    }
    // Numbers and durations (5m, 1h30m, 0.95, 1e3, 0x1f) before identifiers, so "5m" is not a name.
    const number = /^(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?([a-zA-Z]+[0-9]*)*|\.[0-9]+)/.exec(
      rest,
    );
    if (number !== null) {
      tokens.push({ kind: "other", text: number[0] });
      i += number[0].length;
      continue;
    }
    const identifier = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
    if (identifier !== null) {
      tokens.push({ kind: "identifier", text: identifier[0] });
      i += identifier[0].length;
      continue;
    }
    tokens.push({ kind: "punctuation", text: rest[0] ?? "" });
    i += 1;
  }
  return tokens;
}

/** One vector selector: its metric name and its equality matchers (job="...", ...). */
export interface MetricSelector {
  name: string;
  labels: Record<string, string>;
}

/** Every vector selector of `expr`, in order. */
export function metricSelectors(expr: string): MetricSelector[] {
  const tokens = tokenize(expr);
  const selectors: MetricSelector[] = [];
  const matchersAt = (open: number): { labels: Record<string, string>; close: number } => {
    const labels: Record<string, string> = {};
    let j = open + 1;
    for (; j < tokens.length && tokens[j]?.text !== "}"; j++) {
      const label = tokens[j];
      const value = tokens[j + 2];
      if (label?.kind === "identifier" && tokens[j + 1]?.text === "=" && value?.kind === "string") {
        labels[label.text] = value.text;
      }
    }
    return { labels, close: j };
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined) break;
    if (token.kind === "punctuation" && token.text === "{") {
      // A selector without a name before it: {__name__="...", ...}.
      const { labels, close } = matchersAt(i);
      const { __name__: name, ...rest } = labels;
      if (name !== undefined) selectors.push({ name, labels: rest });
      i = close;
      continue;
    }
    if (token.kind === "punctuation" && token.text === "[") {
      while (i < tokens.length && tokens[i]?.text !== "]") i++;
      continue;
    }
    if (token.kind !== "identifier") continue;
    if (labelListKeywords.has(token.text) && tokens[i + 1]?.text === "(") {
      while (i < tokens.length && tokens[i]?.text !== ")") i++;
      continue;
    }
    if (keywords.has(token.text.toLowerCase())) continue;
    if (tokens[i + 1]?.text === "(") continue; // a function or an aggregation operator
    // `sum by (x) (...)`: the operator comes before its label list.
    if (tokens[i + 1]?.kind === "identifier" && labelListKeywords.has(tokens[i + 1]?.text ?? "")) continue;
    if (tokens[i + 1]?.text === "{") {
      const { labels, close } = matchersAt(i + 1);
      selectors.push({ name: token.text, labels });
      i = close;
    } else {
      selectors.push({ name: token.text, labels: {} });
    }
  }
  return selectors;
}

/** The metric names `expr` selects, sorted and without duplicates. */
export function metricNames(expr: string): string[] {
  return [...new Set(metricSelectors(expr).map((selector) => selector.name))].sort();
}
