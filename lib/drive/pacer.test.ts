import { describe, expect, it } from "vitest";
import { FakeClock, settle } from "../controller-runtime/testing.ts";
import { Pacer } from "./pacer.ts";

/** Asks for `count` tokens and records when each was granted (-1: refused). */
function acquireAll(pacer: Pacer, clock: FakeClock, count: number, signal?: AbortSignal): number[] {
  const granted: number[] = [];
  for (let i = 0; i < count; i++) {
    pacer.acquire(signal).then(
      () => granted.push(clock.now()),
      () => granted.push(-1),
    );
  }
  return granted;
}

describe("Pacer", () => {
  it("lets a burst through at once, then spaces calls at the rate", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ ratePerSecond: 10, burst: 3 }, clock);
    const granted = acquireAll(pacer, clock, 6);
    await settle();
    await clock.advance(1_000);
    expect(granted).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it("cuts the rate on a rate-limit error, once per round of calls in flight, down to the floor", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ ratePerSecond: 8, minRatePerSecond: 1.5, decreaseFactor: 0.5 }, clock);
    const inFlight = [await pacer.acquire(), await pacer.acquire()];
    pacer.rateLimited(inFlight[0]!);
    expect(pacer.currentRate).toBe(4);
    // The other call sent before the cut reports the same overload: no second cut.
    pacer.rateLimited(inFlight[1]!);
    expect(pacer.currentRate).toBe(4);
    const sentAfterTheCut = pacer.acquire();
    await clock.advance(1_000);
    pacer.rateLimited(await sentAfterTheCut);
    expect(pacer.currentRate).toBe(2);
    const sentAfterTheSecondCut = pacer.acquire();
    await clock.advance(1_000);
    pacer.rateLimited(await sentAfterTheSecondCut);
    expect(pacer.currentRate).toBe(1.5);
  });

  /** The pacer's rate after each of `seconds` intervals, with two successes reported in each. */
  async function ratesOverSeconds(pacer: Pacer, clock: FakeClock, seconds: number): Promise<number[]> {
    const rates: number[] = [];
    for (let second = 0; second < seconds; second++) {
      await clock.advance(1_000);
      pacer.succeeded();
      pacer.succeeded(); // a second success in the same interval changes nothing
      rates.push(pacer.currentRate);
    }
    return rates;
  }

  it("climbs back fast to just under the rate Drive refused, and holds there", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer(
      { ratePerSecond: 20, decreaseFactor: 0.5, settleFraction: 0.9, increaseStep: 1, limitDrift: 0 },
      clock,
    );
    pacer.rateLimited(await pacer.acquire());
    expect(pacer.currentRate).toBe(10);
    expect(pacer.learnedLimit).toBe(20);
    pacer.succeeded();
    expect(pacer.currentRate).toBe(10); // too soon after the cut
    expect(await ratesOverSeconds(pacer, clock, 7)).toEqual([14, 16, 17, 18, 18, 18, 18]);
  });

  it("lets the learned limit drift back to the ceiling, so chance refusals cannot starve the process", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer(
      { ratePerSecond: 40, decreaseFactor: 0.5, settleFraction: 0.9, increaseStep: 1, limitDrift: 0.1 },
      clock,
    );
    pacer.rateLimited(await pacer.acquire());
    const refusedAgain = pacer.acquire();
    await clock.advance(100);
    pacer.rateLimited(await refusedAgain);
    expect(pacer.learnedLimit).toBe(20);
    await ratesOverSeconds(pacer, clock, 1);
    expect(pacer.learnedLimit).toBeCloseTo(22);
    await ratesOverSeconds(pacer, clock, 60);
    expect(pacer.learnedLimit).toBeGreaterThan(39.9);
    expect(pacer.currentRate).toBeCloseTo(36, 1);
  });

  it("learns a lower limit when Drive refuses the settled rate too", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer(
      { ratePerSecond: 20, decreaseFactor: 0.5, settleFraction: 0.9, increaseStep: 1, limitDrift: 0 },
      clock,
    );
    pacer.rateLimited(await pacer.acquire());
    await ratesOverSeconds(pacer, clock, 4);
    expect(pacer.currentRate).toBe(18);
    pacer.rateLimited(await pacer.acquire());
    expect(pacer.learnedLimit).toBe(18);
    expect((await ratesOverSeconds(pacer, clock, 6)).at(-1)).toBeCloseTo(16.2);
  });

  it("spaces calls at the lowered rate straight after a cut (no leftover burst)", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ ratePerSecond: 10, burst: 100, decreaseFactor: 0.5 }, clock);
    pacer.rateLimited(await pacer.acquire());
    const granted = acquireAll(pacer, clock, 3);
    await clock.advance(1_000);
    expect(granted).toEqual([200, 400, 600]);
  });

  it("holds every caller for Retry-After and accrues no burst meanwhile", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ ratePerSecond: 10, burst: 100, decreaseFactor: 1 }, clock);
    pacer.rateLimited(await pacer.acquire(), 2_000);
    const granted = acquireAll(pacer, clock, 3);
    await clock.advance(5_000);
    expect(granted).toEqual([2_100, 2_200, 2_300]);
  });

  it("holds callers no longer than maxPauseMs for a very long Retry-After", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ ratePerSecond: 10, decreaseFactor: 1, maxPauseMs: 5_000 }, clock);
    pacer.rateLimited(await pacer.acquire(), 3_600_000);
    const granted = acquireAll(pacer, clock, 1);
    await clock.advance(10_000);
    expect(granted).toEqual([5_100]);
  });

  it("rejects a waiting caller whose signal aborts and serves the next one on time", async () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ ratePerSecond: 1, burst: 1 }, clock);
    await pacer.acquire();
    const controller = new AbortController();
    const aborted = acquireAll(pacer, clock, 1, controller.signal);
    const next = acquireAll(pacer, clock, 1);
    controller.abort();
    await settle();
    expect(aborted).toEqual([-1]);
    await clock.advance(1_000);
    expect(next).toEqual([1_000]);
    expect(pacer.waiting).toBe(0);
  });
});
