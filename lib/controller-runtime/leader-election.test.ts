import { V1MicroTime, type V1Lease } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { LeaderElector, type LeaderElectorOptions } from "./leader-election.ts";
import { silentLogger } from "../log/index.ts";
import { FakeClock, settle } from "./testing.ts";

/**
 * One Lease behind the KubeClient calls the elector makes, with the API server's optimistic concurrency: a
 * write with a stale resourceVersion gets 409.
 */
class LeaseStore {
  lease: V1Lease | undefined;
  #version = 0;

  get<T>(): Promise<T> {
    if (this.lease === undefined) return Promise.reject(Object.assign(new Error("not found"), { code: 404 }));
    return Promise.resolve(structuredClone(this.lease) as T);
  }

  create<T>(_path: string, body: V1Lease): Promise<T> {
    if (this.lease !== undefined) return Promise.reject(Object.assign(new Error("exists"), { code: 409 }));
    return Promise.resolve(this.#store(body) as T);
  }

  replace<T>(_path: string, body: V1Lease): Promise<T> {
    if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      return Promise.reject(Object.assign(new Error("conflict"), { code: 409 }));
    }
    return Promise.resolve(this.#store(body) as T);
  }

  #store(body: V1Lease): V1Lease {
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.#version) } };
    return structuredClone(this.lease);
  }
}

const electors: LeaderElector[] = [];

function elector(
  store: LeaseStore,
  clock: FakeClock,
  options: Partial<LeaderElectorOptions> = {},
): LeaderElector {
  const created = new LeaderElector({
    kube: store,
    namespace: "ns",
    name: "lock",
    identity: "me",
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
    registry: new Registry(),
    logger: silentLogger,
    clock,
    random: () => 0,
    ...options,
  });
  electors.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

describe("LeaderElector", () => {
  it("creates the lease when there is none and leads", async () => {
    const store = new LeaseStore();
    const me = elector(store, new FakeClock());
    me.start();
    await settle();
    expect(me.isLeader()).toBe(true);
    expect(store.lease?.spec).toMatchObject({
      holderIdentity: "me",
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
  });

  it("waits until another holder's record has gone unchanged for its duration by its own clock, whatever renewTime says", async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    // The other holder's clock runs a day ahead; comparing renewTime with our clock would wait a day.
    const skewed = new V1MicroTime(clock.now() + 86_400_000);
    store.lease = {
      metadata: { name: "lock", namespace: "ns", resourceVersion: "0" },
      spec: {
        holderIdentity: "other",
        leaseDurationSeconds: 15,
        renewTime: skewed,
        acquireTime: skewed,
        leaseTransitions: 3,
      },
    };
    const me = elector(store, clock);
    me.start();
    await clock.advance(14_000);
    expect(me.isLeader()).toBe(false);
    await clock.advance(2_000);
    expect(me.isLeader()).toBe(true);
    expect(store.lease.spec).toMatchObject({ holderIdentity: "me", leaseTransitions: 4 });
  });

  it("restarts its wait whenever the holder renews", async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const renewBy = (at: number): void => {
      store.lease = {
        metadata: { name: "lock", namespace: "ns", resourceVersion: String(at) },
        spec: { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: new V1MicroTime(at) },
      };
    };
    renewBy(clock.now());
    const me = elector(store, clock);
    me.start();
    await clock.advance(10_000);
    renewBy(clock.now());
    // Without the renewal it would lead at 16 s; the renewal is first seen at 12 s, so the wait runs to 27 s.
    await clock.advance(16_000);
    expect(me.isLeader()).toBe(false);
    await clock.advance(2_000);
    expect(me.isLeader()).toBe(true);
  });

  it("refuses timings that could let a leader outlive its lease", () => {
    const store = new LeaseStore();
    expect(() =>
      elector(store, new FakeClock(), { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
    ).toThrow(/leaseDurationMs/);
    expect(() => elector(store, new FakeClock(), { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(
      /retryPeriodMs/,
    );
  });
});
