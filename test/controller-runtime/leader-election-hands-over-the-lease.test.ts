import { CoordinationV1Api, CoreV1Api, V1MicroTime } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  LeaderElector,
  silentLogger,
  type LeaderElectorOptions,
} from "../../lib/controller-runtime/index.ts";
import { metricValue } from "../../lib/controller-runtime/testing.ts";
import { adminKubeClient, adminKubeConfig, uniqueName } from "../support/stack.ts";

interface Candidate {
  identity: string;
  elector: LeaderElector;
  registry: Registry;
  /** What the callbacks saw, in order. */
  log: string[];
  leadershipSignal?: AbortSignal;
}

describe("LeaderElector against kube-apiserver", () => {
  let coordination: CoordinationV1Api;
  let namespace: string;
  const candidates: Candidate[] = [];

  beforeAll(() => {
    coordination = adminKubeConfig().makeApiClient(CoordinationV1Api);
  });

  afterEach(async () => {
    await Promise.all(candidates.splice(0).map((candidate) => candidate.elector.stop()));
  });

  async function freshNamespace(): Promise<void> {
    namespace = uniqueName("election");
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  }

  function candidate(identity: string, timing: Partial<LeaderElectorOptions> = {}): Candidate {
    const registry = new Registry();
    const log: string[] = [];
    const entry: Candidate = { identity, registry, log, elector: undefined as unknown as LeaderElector };
    entry.elector = new LeaderElector({
      kube: adminKubeClient(),
      namespace,
      name: "controller-leader",
      identity,
      leaseDurationMs: 60_000,
      renewDeadlineMs: 4_000,
      retryPeriodMs: 500,
      onStartedLeading: (signal) => {
        entry.leadershipSignal = signal;
        log.push("started");
      },
      onStoppedLeading: () => void log.push("stopped"),
      registry,
      logger: silentLogger,
      ...timing,
    });
    candidates.push(entry);
    return entry;
  }

  const leaders = (...all: Candidate[]) => all.filter((c) => c.elector.isLeader()).map((c) => c.identity);
  const readLease = () => coordination.readNamespacedLease({ namespace, name: "controller-leader" });
  const masterStatus = (c: Candidate) =>
    metricValue(c.registry, "leader_election_master_status", { name: "controller-leader" });

  it("lets exactly one of two candidates lead, and hands over at once when the leader stops", async () => {
    await freshNamespace();
    const a = candidate("replica-a");
    const b = candidate("replica-b");
    a.elector.start();
    b.elector.start();
    await vi.waitFor(() => expect(leaders(a, b)).toHaveLength(1), { timeout: 20_000 });
    const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];

    // Several renewal rounds later, still exactly the one leader, and the lease names it.
    for (let round = 0; round < 6; round++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(leaders(a, b)).toEqual([leader.identity]);
    }
    expect((await readLease()).spec?.holderIdentity).toBe(leader.identity);
    expect(await masterStatus(leader)).toBe(1);
    expect(await masterStatus(follower)).toBe(0);
    expect(follower.log).toEqual([]);

    await leader.elector.stop();
    expect(leader.log).toEqual(["started", "stopped"]);
    expect(leader.leadershipSignal?.aborted).toBe(true);
    expect(await masterStatus(leader)).toBe(0);

    // The released lease (no holder) is taken within a few retry periods, long before its 60 s would expire.
    await vi.waitFor(() => expect(follower.elector.isLeader()).toBe(true), { timeout: 20_000 });
    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(follower.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);
    expect(follower.log).toEqual(["started"]);
  });

  it("takes over from a leader that stopped renewing once the lease expires", async () => {
    await freshNamespace();
    const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
    const crashed = candidate("replica-crashed", { ...timing, releaseOnStop: false });
    crashed.elector.start();
    await vi.waitFor(() => expect(crashed.elector.isLeader()).toBe(true), { timeout: 20_000 });
    const successor = candidate("replica-successor", timing);
    successor.elector.start();

    // Stopping without release leaves the lease held, as a killed process would.
    await crashed.elector.stop();
    expect((await readLease()).spec?.holderIdentity).toBe("replica-crashed");
    await vi.waitFor(() => expect(successor.elector.isLeader()).toBe(true), { timeout: 30_000 });
    expect((await readLease()).spec?.holderIdentity).toBe("replica-successor");
  });

  it("stops leading, and says so, when another holder takes the lease", async () => {
    await freshNamespace();
    const leader = candidate("replica-a", {
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 500,
    });
    leader.elector.start();
    await vi.waitFor(() => expect(leader.elector.isLeader()).toBe(true), { timeout: 20_000 });

    const lease = await readLease();
    const now = new V1MicroTime(Date.now());
    await coordination.replaceNamespacedLease({
      namespace,
      name: "controller-leader",
      body: {
        ...lease,
        spec: { ...lease.spec, holderIdentity: "intruder", leaseDurationSeconds: 600, renewTime: now },
      },
    });

    await vi.waitFor(() => expect(leader.log).toEqual(["started", "stopped"]), { timeout: 20_000 });
    expect(leader.elector.isLeader()).toBe(false);
    expect(leader.leadershipSignal?.aborted).toBe(true);
    expect(await masterStatus(leader)).toBe(0);
    expect((await readLease()).spec?.holderIdentity).toBe("intruder");
  });
});
