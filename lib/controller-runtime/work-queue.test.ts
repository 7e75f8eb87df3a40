import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { FakeClock, metricValue, settle } from "./testing.ts";
import { ItemExponentialRateLimiter } from "./rate-limiter.ts";
import { WorkQueue } from "./work-queue.ts";

function newQueue(clock = new FakeClock(), registry?: Registry): WorkQueue {
  return new WorkQueue({
    name: "test",
    clock,
    registry,
    rateLimiter: new ItemExponentialRateLimiter({}, () => 0),
  });
}

describe("WorkQueue", () => {
  it("stores a key once however often it is added before being taken", async () => {
    const queue = newQueue();
    queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe("ns/a");
    expect(await queue.get()).toBe("ns/b");
    expect(queue.len()).toBe(0);
  });

  it("never hands out a key being processed, and hands it out again after done if re-added meanwhile", async () => {
    const queue = newQueue();
    queue.add("ns/a");
    const key = await queue.get();
    queue.add("ns/a");
    queue.add("ns/a");
    expect(queue.len()).toBe(0);

    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await settle();
    expect(second).toBeUndefined();

    queue.done(key ?? "");
    await settle();
    expect(second).toBe("ns/a");
  });

  it("does not hand a key out again after done unless it was re-added", async () => {
    const queue = newQueue();
    queue.add("ns/a");
    queue.done((await queue.get()) ?? "");
    expect(queue.len()).toBe(0);
  });

  it("wakes one waiting worker per added key", async () => {
    const queue = newQueue();
    const taken: Array<string | undefined> = [];
    void queue.get().then((k) => taken.push(k));
    void queue.get().then((k) => taken.push(k));
    queue.add("ns/a");
    await settle();
    expect(taken).toEqual(["ns/a"]);
    queue.add("ns/b");
    await settle();
    expect(taken).toEqual(["ns/a", "ns/b"]);
  });

  it("adds a key after addAfter's delay on the injected clock, and an earlier delay wins", async () => {
    const clock = new FakeClock();
    const queue = newQueue(clock);
    queue.addAfter("ns/a", 1_000);
    queue.addAfter("ns/a", 5_000);
    queue.addAfter("ns/b", 2_000);
    await clock.advance(999);
    expect(queue.len()).toBe(0);
    await clock.advance(1);
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe("ns/a");
    await clock.advance(1_000);
    expect(await queue.get()).toBe("ns/b");
    await clock.advance(10_000);
    expect(queue.len()).toBe(0);
  });

  it("backs a key off exponentially on each rate-limited add until it is forgotten", async () => {
    const clock = new FakeClock();
    const queue = newQueue(clock);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const addedAt = clock.now();
      queue.addRateLimited("ns/a");
      while (queue.len() === 0) await clock.advance(1);
      delays.push(clock.now() - addedAt);
      queue.done((await queue.get()) ?? "");
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(queue.numRequeues("ns/a")).toBe(4);

    queue.forget("ns/a");
    expect(queue.numRequeues("ns/a")).toBe(0);
    queue.addRateLimited("ns/a");
    await clock.advance(5);
    expect(queue.len()).toBe(1);
  });

  it("on shutDown stops handing out keys, drops waiting ones, and resolves once in-flight keys are done", async () => {
    const clock = new FakeClock();
    const queue = newQueue(clock);
    queue.add("ns/a");
    queue.add("ns/b");
    queue.addAfter("ns/c", 1_000);
    const inFlight = (await queue.get()) ?? "";

    let drained = false;
    const shutDown = queue.shutDown().then(() => (drained = true));
    expect(await queue.get()).toBeUndefined();
    queue.add("ns/d");
    expect(queue.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    await settle();
    expect(drained).toBe(false);

    queue.done(inFlight);
    await shutDown;
    expect(drained).toBe(true);
  });

  it("releases workers blocked in get when it shuts down", async () => {
    const queue = newQueue();
    const waiting = queue.get();
    await queue.shutDown();
    expect(await waiting).toBeUndefined();
  });

  it("reports client-go's workqueue metrics", async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const queue = newQueue(clock, registry);
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    await clock.advance(2_000);
    const key = (await queue.get()) ?? "";
    queue.addAfter("ns/c", 10);
    await clock.advance(3_000);

    const value = (name: string): Promise<number | undefined> =>
      metricValue(registry, name, { name: "test" });
    expect(await value("workqueue_adds_total")).toBe(3);
    expect(await value("workqueue_retries_total")).toBe(1);
    expect(await value("workqueue_depth")).toBe(2);
    expect(await value("workqueue_longest_running_processor_seconds")).toBe(3);
    expect(await value("workqueue_unfinished_work_seconds")).toBe(3);
    expect(await value("workqueue_queue_duration_seconds_sum")).toBe(2);

    queue.done(key);
    expect(await value("workqueue_work_duration_seconds_sum")).toBe(3);
    expect(await value("workqueue_unfinished_work_seconds")).toBe(0);
  });
});
