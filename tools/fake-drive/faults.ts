/**
 * Fault injection. A rule picks requests (by route and file id, for the next N of them or with a seeded
 * probability, or always) and says what goes wrong: a Drive error, latency, a bandwidth cap, a cut
 * connection, bytes that do not match the md5, or a short, empty or final page.
 */
import { isInjectableError, type InjectableError } from "./errors.ts";
import { seededFloat } from "./random.ts";

export type Route = "list" | "get" | "media";
const ROUTES: readonly Route[] = ["list", "get", "media"];

export interface FaultRule {
  /** Routes the rule applies to; all by default. */
  routes?: Route[];
  /** Only requests about this file (get, media) or listing this folder's children (list). */
  fileId?: string;
  /** Fire on the next N matching requests, then retire. */
  times?: number;
  /** Fire on each matching request with this chance, drawn from the injector's seeded generator. */
  probability?: number;

  /** Answer with this Drive error instead. */
  error?: InjectableError;
  /** Send Retry-After with the error (seconds). */
  retryAfterSeconds?: number;
  /** Delay before the first byte. */
  latencyMs?: number;
  /** Cap the download rate. */
  bandwidthBytesPerSecond?: number;
  /** Drop the connection after this many body bytes of a download. */
  cutAfterBytes?: number;
  /** Serve other bytes (same size) than the listed md5Checksum describes. */
  wrongMd5?: boolean;
  /** Serve at most this many files in a list page (0: an empty page), the token still leading on. */
  pageFiles?: number;
  /** End the listing at this page (no nextPageToken). */
  endListing?: boolean;
}

export interface ActiveFault extends FaultRule {
  id: string;
  /** Times the rule fired so far. */
  fired: number;
}

/** What the rules that fired do to one request. */
export interface FaultEffects {
  error?: InjectableError;
  retryAfterSeconds?: number;
  latencyMs: number;
  bandwidthBytesPerSecond?: number;
  cutAfterBytes?: number;
  wrongMd5: boolean;
  pageFiles?: number;
  endListing: boolean;
}

const EFFECTS = [
  "error",
  "latencyMs",
  "bandwidthBytesPerSecond",
  "cutAfterBytes",
  "wrongMd5",
  "pageFiles",
  "endListing",
] as const;

/** The set of active rules; matching consumes counts and draws probabilities in request order. */
export class FaultInjector {
  #rules: ActiveFault[] = [];
  #nextId = 1;
  readonly #random: () => number;

  constructor(seed = 1) {
    this.#random = seededFloat(seed);
  }

  /** Adds a rule (checked, since rules also arrive as JSON); returns its id. */
  add(rule: FaultRule): string {
    checkRule(rule);
    const id = `fault-${this.#nextId++}`;
    this.#rules.push({ ...rule, id, fired: 0 });
    return id;
  }

  /** Removes one rule; false when no rule has this id. */
  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.id !== id);
    return this.#rules.length < before;
  }

  clear(): void {
    this.#rules = [];
  }

  /** The active rules. */
  list(): ActiveFault[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  /** Fires the rules matching a request about `fileIds` on `route`, and combines what they do. */
  match(route: Route, fileIds: readonly string[]): FaultEffects {
    const effects: FaultEffects = { latencyMs: 0, wrongMd5: false, endListing: false };
    for (const rule of this.#rules) {
      if (rule.routes && !rule.routes.includes(route)) continue;
      if (rule.fileId !== undefined && !fileIds.includes(rule.fileId)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.fired += 1;
      combine(effects, rule);
    }
    this.#rules = this.#rules.filter((rule) => rule.times === undefined || rule.fired < rule.times);
    return effects;
  }
}

function combine(effects: FaultEffects, rule: FaultRule): void {
  if (rule.error !== undefined && effects.error === undefined) {
    effects.error = rule.error;
    effects.retryAfterSeconds =
      rule.retryAfterSeconds ?? (rule.error === "rateLimitExceeded429" ? 1 : undefined);
  }
  effects.latencyMs += rule.latencyMs ?? 0;
  effects.bandwidthBytesPerSecond = minDefined(effects.bandwidthBytesPerSecond, rule.bandwidthBytesPerSecond);
  effects.cutAfterBytes = minDefined(effects.cutAfterBytes, rule.cutAfterBytes);
  effects.pageFiles = minDefined(effects.pageFiles, rule.pageFiles);
  effects.wrongMd5 ||= rule.wrongMd5 ?? false;
  effects.endListing ||= rule.endListing ?? false;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function checkRule(rule: FaultRule): void {
  const fail = (problem: string): never => {
    throw new Error(`fault rule ${JSON.stringify(rule)}: ${problem}`);
  };
  if (typeof rule !== "object" || rule === null) fail("must be an object");
  if (!EFFECTS.some((effect) => rule[effect] !== undefined)) fail(`needs one of ${EFFECTS.join(", ")}`);
  if (rule.error !== undefined && !isInjectableError(rule.error))
    fail(`unknown error "${String(rule.error)}"`);
  if (
    rule.routes !== undefined &&
    (!Array.isArray(rule.routes) || rule.routes.some((r) => !ROUTES.includes(r)))
  ) {
    fail(`routes are some of ${ROUTES.join(", ")}`);
  }
  if (rule.fileId !== undefined && typeof rule.fileId !== "string") fail("fileId is a string");
  const counts = [
    "times",
    "retryAfterSeconds",
    "latencyMs",
    "bandwidthBytesPerSecond",
    "cutAfterBytes",
    "pageFiles",
  ];
  for (const field of counts) {
    const value = rule[field as keyof FaultRule];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      fail(`${field} is a number ≥ 0`);
    }
  }
  if (rule.bandwidthBytesPerSecond === 0) fail("bandwidthBytesPerSecond is above 0");
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    fail("probability is from 0 to 1");
  }
}
