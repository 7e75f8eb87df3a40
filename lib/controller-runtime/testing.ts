// Helpers for tests of code built on the controller runtime; production code never imports this file.

import type { Registry } from "prom-client";
import type { Clock } from "./clock.ts";

interface PendingTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** A Clock for tests: time moves only when `advance` is called, and due timers fire in order. */
export class FakeClock implements Clock {
  #now: number;
  #timers: PendingTimer[] = [];
  #nextId = 1;

  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(timer: unknown): void {
    this.#timers = this.#timers.filter((pending) => pending.id !== timer);
  }

  /** How many timers are waiting to fire. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its own time and letting the promise chains
   * it starts settle before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    // Work already under way may be about to set a timer; let it, so that timer counts from now.
    await settle();
    for (;;) {
      const due = this.#timers
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = due.at;
      due.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets pending promise continuations run (a macrotask turn drains the microtask queue). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The current value of one series in `registry`: `name` is the metric's name, or for a histogram a sample
 * name such as `..._sum` or `..._count`; `labels` must match the series' labels that are given.
 */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = await (
    registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ""))
  )?.get();
  // Histogram samples carry their own name (`..._sum`); prom-client's types leave it out.
  const samples = (metric?.values ?? []) as Array<{
    value: number;
    labels: Record<string, unknown>;
    metricName?: string;
  }>;
  return samples.find(
    (sample) =>
      (sample.metricName ?? metric?.name) === name &&
      Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  )?.value;
}
