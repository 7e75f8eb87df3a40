/**
 * Drive's partial-response `fields` parameter: `a,b/c,d(e,f(g))`, `*` for everything at a level.
 * Parsed into a selection, checked against the resource's schema (unknown names are a 400, as on
 * Drive) and applied to a response.
 */
import { DriveApiError } from "./errors.ts";

/** Each selected field maps to its sub-selection, or to undefined when the whole value is selected. */
export type Selection = Map<string, Selection | undefined>;

/** A resource's shape: nested objects, plain values ("leaf") and free-form objects ("any"). */
export interface Schema {
  [field: string]: Schema | "leaf" | "any";
}

/** Parses a `fields` value; throws Drive's 400 invalidParameter on bad syntax. */
export function parseFields(text: string): Selection {
  const parser = new FieldsParser(text);
  const selection = parser.list();
  parser.expectEnd();
  return selection;
}

/** Throws Drive's 400 "Invalid field selection <name>" for a field the schema does not have. */
export function validateSelection(selection: Selection, schema: Schema): void {
  for (const [field, sub] of selection) {
    if (field === "*") continue;
    const shape = schema[field];
    if (shape === undefined || (shape === "leaf" && sub !== undefined)) {
      throw new DriveApiError("invalidFieldSelection", field);
    }
    if (sub !== undefined && typeof shape === "object") validateSelection(sub, shape);
  }
}

/** The parts of `value` a selection keeps (arrays are projected element by element). */
export function project(value: unknown, selection: Selection | undefined): unknown {
  if (selection === undefined || selection.has("*") || value === null || typeof value !== "object")
    return value;
  if (Array.isArray(value)) return value.map((element) => project(element, selection));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, sub] of selection) {
    if (source[field] !== undefined) out[field] = project(source[field], sub);
  }
  return out;
}

class FieldsParser {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** item (',' item)* */
  list(): Selection {
    const selection: Selection = new Map();
    do {
      this.#item(selection);
    } while (this.#take(","));
    return selection;
  }

  expectEnd(): void {
    this.#skipSpaces();
    if (this.#at < this.#text.length) throw this.#error();
  }

  /** name ('/' name)* ['(' list ')'] */
  #item(into: Selection): void {
    const path = [this.#name()];
    while (this.#take("/")) path.push(this.#name());
    let sub: Selection | undefined;
    if (this.#take("(")) {
      sub = this.list();
      if (!this.#take(")")) throw this.#error();
    }
    let level = into;
    for (const [index, field] of path.entries()) {
      const last = index === path.length - 1;
      const existing = level.get(field);
      if (level.has(field) && existing === undefined) return; // already selected whole
      if (last) {
        level.set(field, sub && existing ? merge(existing, sub) : sub);
        return;
      }
      const next: Selection = existing ?? new Map<string, Selection | undefined>();
      level.set(field, next);
      level = next;
    }
  }

  #name(): string {
    this.#skipSpaces();
    const match = /^(?:\*|[A-Za-z0-9_]+)/.exec(this.#text.slice(this.#at));
    if (!match) throw this.#error();
    this.#at += match[0].length;
    return match[0];
  }

  #take(char: string): boolean {
    this.#skipSpaces();
    if (this.#text.charAt(this.#at) !== char) return false;
    this.#at++;
    return true;
  }

  #skipSpaces(): void {
    while (this.#text.charAt(this.#at) === " ") this.#at++;
  }

  #error(): DriveApiError {
    return new DriveApiError("invalidFieldSelection", this.#text.slice(this.#at) || this.#text);
  }
}

function merge(into: Selection, from: Selection): Selection {
  for (const [field, sub] of from) {
    const existing = into.get(field);
    if (into.has(field) && existing === undefined) continue;
    into.set(field, sub && existing ? merge(existing, sub) : sub);
  }
  return into;
}
