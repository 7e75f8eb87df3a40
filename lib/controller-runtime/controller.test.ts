import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { Controller, type Reconciler } from "./controller.ts";
import { FakeClock, metricValue, settle } from "./testing.ts";
import { silentLogger } from "../log/index.ts";
import { ItemExponentialRateLimiter } from "./rate-limiter.ts";

const controllers: Controller[] = [];

function startController(
  reconcile: Reconciler,
  options: { clock?: FakeClock; workers?: number; registry?: Registry } = {},
) {
  const controller = new Controller({
    name: "things",
    reconcile,
    maxConcurrentReconciles: options.workers ?? 1,
    registry: options.registry ?? new Registry(),
    logger: silentLogger,
    clock: options.clock ?? new FakeClock(),
    rateLimiter: new ItemExponentialRateLimiter({ initialMs: 100, maxMs: 10_000 }, () => 0),
  });
  controllers.push(controller);
  controller.start();
  return controller;
}

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((controller) => controller.stop()));
});

describe("Controller", () => {
  it("reconciles an enqueued key once and counts a success", async () => {
    const registry = new Registry();
    const seen: string[] = [];
    const controller = startController((key) => void seen.push(key), { registry });
    controller.queue.add("ns/a");
    await settle();
    expect(seen).toEqual(["ns/a"]);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "success",
      }),
    ).toBe(1);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "error",
      }),
    ).toBe(0);
  });

  it("requeues a failing key with growing backoff and forgets it once it succeeds", async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const attempts: number[] = [];
    const controller = startController(
      () => {
        attempts.push(clock.now());
        if (attempts.length < 4) throw new Error("not yet");
      },
      { clock, registry },
    );
    const start = clock.now();
    controller.queue.add("ns/a");
    await settle();
    await clock.advance(1_000);
    expect(attempts.map((at) => at - start)).toEqual([0, 100, 300, 700]);
    expect(controller.queue.numRequeues("ns/a")).toBe(0);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_errors_total", { controller: "things" }),
    ).toBe(3);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "error",
      }),
    ).toBe(3);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "success",
      }),
    ).toBe(1);
  });

  it("reconciles again after requeueAfterMs, and after the key's backoff for requeue", async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const attempts: Array<[string, number]> = [];
    const controller = startController(
      (key) => {
        attempts.push([key, clock.now()]);
        if (attempts.filter(([k]) => k === key).length > 1) return undefined;
        return key === "ns/poll" ? { requeueAfterMs: 30_000 } : { requeue: true };
      },
      { clock, registry },
    );
    const start = clock.now();
    controller.queue.add("ns/poll");
    controller.queue.add("ns/retry");
    await settle();
    await clock.advance(60_000);
    expect(attempts.map(([key, at]) => [key, at - start])).toEqual([
      ["ns/poll", 0],
      ["ns/retry", 0],
      ["ns/retry", 100],
      ["ns/poll", 30_000],
    ]);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "requeue_after",
      }),
    ).toBe(1);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "requeue",
      }),
    ).toBe(1);
  });

  it("runs different keys in parallel up to the worker count, never one key twice at once", async () => {
    const registry = new Registry();
    const running = new Set<string>();
    let mostAtOnce = 0;
    let overlapped = false;
    const releases: Array<() => void> = [];
    const controller = startController(
      async (key) => {
        if (running.has(key)) overlapped = true;
        running.add(key);
        mostAtOnce = Math.max(mostAtOnce, running.size);
        await new Promise<void>((resolve) => releases.push(resolve));
        running.delete(key);
      },
      { workers: 2, registry },
    );
    controller.queue.add("ns/a");
    controller.queue.add("ns/b");
    controller.queue.add("ns/c");
    await settle();
    controller.queue.add("ns/a");
    await settle();
    expect(running).toEqual(new Set(["ns/a", "ns/b"]));
    expect(await metricValue(registry, "controller_runtime_active_workers", { controller: "things" })).toBe(
      2,
    );
    expect(
      await metricValue(registry, "controller_runtime_max_concurrent_reconciles", { controller: "things" }),
    ).toBe(2);

    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    expect(mostAtOnce).toBe(2);
    expect(overlapped).toBe(false);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_total", {
        controller: "things",
        result: "success",
      }),
    ).toBe(4);
  });

  it("stop aborts the in-flight reconcile's signal and resolves only after it has finished", async () => {
    let signal: AbortSignal | undefined;
    let release: (() => void) | undefined;
    const controller = startController(async (_key, s) => {
      signal = s;
      await new Promise<void>((resolve) => (release = resolve));
    });
    controller.queue.add("ns/a");
    await settle();

    let stopped = false;
    const stopping = controller.stop().then(() => (stopped = true));
    await settle();
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(stopped).toBe(true);
  });
});
