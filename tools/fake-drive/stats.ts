/** Request counters tests and benchmarks read: by route, status, key and file, and rate-limit outcomes. */
import type { Route } from "./faults.ts";

export interface StatsSnapshot {
  /** Drive API requests received (control requests excluded). */
  requests: number;
  /** Requests the rate limiter let through. */
  admitted: number;
  /** Requests the rate limiter turned away with 403 userRateLimitExceeded. */
  rejectedByRateLimit: number;
  byRoute: Record<Route | "other", number>;
  /** Responses by HTTP status, e.g. { "200": 10, "403": 2 }. */
  byStatus: Record<string, number>;
  /** Requests by API key ("" when none was sent). */
  byKey: Record<string, number>;
  /** Requests about each file (get, media) or folder (list). */
  byFile: Record<string, Partial<Record<Route, number>>>;
  /** Body bytes of downloads written to sockets. */
  bytesServed: number;
  /** Downloads cut on purpose by a fault. */
  streamsCut: number;
}

/** Mutable counters behind `FakeDrive.stats`. */
export class RequestStats {
  #counts = emptySnapshot();

  recordRequest(route: Route | "other", key: string, fileIds: readonly string[]): void {
    const counts = this.#counts;
    counts.requests += 1;
    counts.byRoute[route] += 1;
    counts.byKey[key] = (counts.byKey[key] ?? 0) + 1;
    if (route === "other") return;
    for (const id of fileIds) {
      const perFile = (counts.byFile[id] ??= {});
      perFile[route] = (perFile[route] ?? 0) + 1;
    }
  }

  recordAdmitted(admitted: boolean): void {
    if (admitted) this.#counts.admitted += 1;
    else this.#counts.rejectedByRateLimit += 1;
  }

  recordStatus(status: number): void {
    this.#counts.byStatus[status] = (this.#counts.byStatus[status] ?? 0) + 1;
  }

  recordBytes(bytes: number): void {
    this.#counts.bytesServed += bytes;
  }

  recordCut(): void {
    this.#counts.streamsCut += 1;
  }

  /** A copy of the counters. */
  snapshot(): StatsSnapshot {
    return structuredClone(this.#counts);
  }

  reset(): void {
    this.#counts = emptySnapshot();
  }
}

function emptySnapshot(): StatsSnapshot {
  return {
    requests: 0,
    admitted: 0,
    rejectedByRateLimit: 0,
    byRoute: { list: 0, get: 0, media: 0, other: 0 },
    byStatus: {},
    byKey: {},
    byFile: {},
    bytesServed: 0,
    streamsCut: 0,
  };
}
