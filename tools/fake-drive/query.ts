/**
 * The subset of Drive's `q` language the product uses, parsed for real: `'<id>' in parents`,
 * `trashed`, `mimeType` and `name` (=, !=, contains), `modifiedTime`/`createdTime` comparisons,
 * joined by and/or/not and parentheses. Anything else is refused the way Drive refuses a bad query.
 */
import { DriveApiError } from "./errors.ts";
import type { DriveItem } from "./tree.ts";

type Equality = "=" | "!=";
type Comparison = Equality | "<" | "<=" | ">" | ">=";

export type QueryNode =
  | { op: "and" | "or"; left: QueryNode; right: QueryNode }
  | { op: "not"; operand: QueryNode }
  | { op: "inParents"; parentId: string }
  | { op: "text"; field: "name" | "mimeType"; operator: Equality | "contains"; value: string }
  | { op: "trashed"; operator: Equality; value: boolean }
  | { op: "time"; field: "modifiedTime" | "createdTime"; operator: Comparison; value: number };

type Token =
  { type: "string"; value: string } | { type: "word"; value: string } | { type: "symbol"; value: string };

const SYMBOLS = ["!=", "<=", ">=", "=", "<", ">", "(", ")"];

/** Parses a `q` parameter; throws Drive's 400 "Invalid Value" for anything outside the subset. */
export function parseQuery(text: string): QueryNode {
  const parser = new Parser(tokenize(text));
  const node = parser.expression();
  parser.expectEnd();
  return node;
}

/** Whether an item satisfies a query. */
export function matchesQuery(node: QueryNode, item: Readonly<DriveItem>): boolean {
  switch (node.op) {
    case "and":
      return matchesQuery(node.left, item) && matchesQuery(node.right, item);
    case "or":
      return matchesQuery(node.left, item) || matchesQuery(node.right, item);
    case "not":
      return !matchesQuery(node.operand, item);
    case "inParents":
      return item.parentId === node.parentId;
    case "trashed":
      return (item.trashed === node.value) === (node.operator === "=");
    case "text": {
      const actual = node.field === "name" ? item.name : item.mimeType;
      if (node.operator === "contains") {
        return node.field === "name" ? namePrefixMatch(actual, node.value) : actual.includes(node.value);
      }
      return (actual === node.value) === (node.operator === "=");
    }
    case "time":
      return compare(
        node.field === "modifiedTime" ? item.modifiedTime : item.createdTime,
        node.operator,
        node.value,
      );
  }
}

/**
 * The folders a query confines results to (their children are the only candidates), or undefined when
 * any item could match. `a and b` is confined by either side; `a or b` only when both sides are.
 */
export function parentScope(node: QueryNode): string[] | undefined {
  switch (node.op) {
    case "inParents":
      return [node.parentId];
    case "and":
      return parentScope(node.left) ?? parentScope(node.right);
    case "or": {
      const left = parentScope(node.left);
      const right = left && parentScope(node.right);
      return right && [...new Set([...left, ...right])];
    }
    default:
      return undefined;
  }
}

/** Every folder id a query asks for the children of (outside `not`): each must exist and be reachable. */
export function referencedParents(node: QueryNode): string[] {
  switch (node.op) {
    case "inParents":
      return [node.parentId];
    case "and":
    case "or":
      return [...new Set([...referencedParents(node.left), ...referencedParents(node.right)])];
    default:
      return [];
  }
}

/** Drive matches `name contains` on word prefixes, ignoring case. */
function namePrefixMatch(name: string, value: string): boolean {
  const needle = value.toLowerCase();
  const haystack = name.toLowerCase();
  return (
    haystack.startsWith(needle) || haystack.split(/[^\p{L}\p{N}]+/u).some((word) => word.startsWith(needle))
  );
}

function compare(actual: number, operator: Comparison, expected: number): boolean {
  switch (operator) {
    case "=":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
  }
}

function invalid(): DriveApiError {
  return new DriveApiError("invalidParameter", "q");
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i);
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw invalid(); // unterminated string
        const c = text.charAt(i);
        if (c === "\\") {
          const escaped = text.charAt(i + 1);
          if (escaped !== "'" && escaped !== "\\") throw invalid();
          value += escaped;
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ type: "string", value });
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ type: "word", value: word });
      i += word.length;
    } else {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
      if (!symbol) throw invalid();
      tokens.push({ type: "symbol", value: symbol });
      i += symbol.length;
    }
  }
  return tokens;
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  expression(): QueryNode {
    let node = this.#conjunction();
    while (this.#keyword("or")) node = { op: "or", left: node, right: this.#conjunction() };
    return node;
  }

  expectEnd(): void {
    if (this.#at < this.#tokens.length) throw invalid();
  }

  #conjunction(): QueryNode {
    let node = this.#unary();
    while (this.#keyword("and")) node = { op: "and", left: node, right: this.#unary() };
    return node;
  }

  #unary(): QueryNode {
    if (this.#keyword("not")) return { op: "not", operand: this.#unary() };
    if (this.#symbol("(")) {
      const node = this.expression();
      if (!this.#symbol(")")) throw invalid();
      return node;
    }
    return this.#term();
  }

  #term(): QueryNode {
    const token = this.#next();
    if (token.type === "string") {
      if (!this.#keyword("in") || !this.#word("parents")) throw invalid();
      return { op: "inParents", parentId: token.value };
    }
    if (token.type !== "word") throw invalid();
    switch (token.value) {
      case "name":
      case "mimeType": {
        const operator = this.#keyword("contains") ? "contains" : this.#equality();
        return { op: "text", field: token.value, operator, value: this.#string() };
      }
      case "trashed": {
        const operator = this.#equality();
        const value = this.#next();
        if (value.type !== "word" || (value.value !== "true" && value.value !== "false")) throw invalid();
        return { op: "trashed", operator, value: value.value === "true" };
      }
      case "modifiedTime":
      case "createdTime": {
        const operator = this.#comparison();
        return { op: "time", field: token.value, operator, value: parseTime(this.#string()) };
      }
      default:
        throw invalid();
    }
  }

  #equality(): Equality {
    const token = this.#next();
    if (token.type !== "symbol" || (token.value !== "=" && token.value !== "!=")) throw invalid();
    return token.value;
  }

  #comparison(): Comparison {
    const token = this.#next();
    if (token.type !== "symbol" || !["=", "!=", "<", "<=", ">", ">="].includes(token.value)) throw invalid();
    return token.value as Comparison;
  }

  #string(): string {
    const token = this.#next();
    if (token.type !== "string") throw invalid();
    return token.value;
  }

  #next(): Token {
    const token = this.#tokens[this.#at++];
    if (!token) throw invalid();
    return token;
  }

  /** Consumes an operator word (and, or, not, in, contains), which Drive accepts in any case. */
  #keyword(word: string): boolean {
    const token = this.#tokens[this.#at];
    if (token?.type !== "word" || token.value.toLowerCase() !== word) return false;
    this.#at++;
    return true;
  }

  #word(word: string): boolean {
    const token = this.#tokens[this.#at];
    if (token?.type !== "word" || token.value !== word) return false;
    this.#at++;
    return true;
  }

  #symbol(symbol: string): boolean {
    const token = this.#tokens[this.#at];
    if (token?.type !== "symbol" || token.value !== symbol) return false;
    this.#at++;
    return true;
  }
}

/** RFC 3339 time; Drive reads one without an offset as UTC. */
function parseTime(text: string): number {
  const withZone = /([zZ]|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`;
  const millis = /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text) ? Date.parse(withZone) : Number.NaN;
  if (Number.isNaN(millis)) throw invalid();
  return millis;
}
