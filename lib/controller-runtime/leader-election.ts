import type { V1Lease, V1LeaseSpec } from "@kubernetes/client-node";
// client-node's types module alone (no generated clients): a Date that serializes as a MicroTime.
import { V1MicroTime } from "@kubernetes/client-node/dist/types.js";
import type { Registry } from "prom-client";
import { statusCodeOf } from "./api-errors.ts";
import { sleep, systemClock, type Clock } from "./clock.ts";
import type { KubeClient } from "./kube-client.ts";
import type { Logger } from "../log/index.ts";
import { leaderElectionMetrics, type LeaderElectionMetrics } from "./metrics.ts";

export interface LeaderElectorOptions {
  kube: Pick<KubeClient, "get" | "create" | "replace">;
  /** Where the Lease lives, and its name (the `name` label of `leader_election_master_status`). */
  namespace: string;
  name: string;
  /** Unique per process (e.g. pod name plus a random suffix): two replicas with one identity would both lead. */
  identity: string;
  /** How long others wait after the last renewal they saw before taking over; default 15 s (whole seconds). */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failed renewal before it gives up leading; default 10 s. */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and the leader renews; default 2 s. */
  retryPeriodMs?: number;
  /**
   * Whether `stop` hands the lease over (empty holder, 1 s duration) after `onStoppedLeading` has returned,
   * so another replica takes over within a retry period instead of a lease duration; default true.
   */
  releaseOnStop?: boolean;
  /** Called on becoming leader; start the controllers. `signal` aborts the moment leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends (lost, or `stop`); stop the controllers. Awaited before the lease is released. */
  onStoppedLeading: () => void | Promise<void>;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
}

/** The fields of a Lease that decide who leads, in a form that compares by value. */
interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

// client-go's JitterFactor for the acquire loop, and its check that a renewal can be retried in time.
const jitterFactor = 1.2;

/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics: candidates retry every
 * retry period; a lease held by another counts as expired only once its record has not changed for its
 * duration on *our* clock (so clock skew between nodes does not matter); every write carries the
 * resourceVersion it read, so two candidates cannot both win (409 → try again). A leader that cannot renew
 * within the renew deadline stops leading; it does not campaign again, and the process should exit, as
 * controller-runtime's managers do.
 */
export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #leaseDurationSeconds: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #metrics: LeaderElectionMetrics;

  /** The Lease as last read or written, whose resourceVersion guards the next write. */
  #lease: V1Lease | undefined;
  /** The record last seen and when it was first seen, by our clock. */
  #observed: { record: string; at: number } | undefined;
  #leading = false;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    const leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (leaseDurationMs <= this.#renewDeadlineMs)
      throw new Error("leaseDurationMs must be greater than renewDeadlineMs");
    if (this.#renewDeadlineMs <= jitterFactor * this.#retryPeriodMs) {
      throw new Error(`renewDeadlineMs must be greater than ${jitterFactor} × retryPeriodMs`);
    }
    if (options.identity === "") throw new Error("a leader election identity must not be empty");
    this.#options = options;
    this.#leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger.child({
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
    this.#metrics = leaderElectionMetrics(options.registry);
    this.#metrics.masterStatus.set({ name: options.name }, 0);
  }

  /** Campaigns in the background, then leads until the lease is lost or `stop` is called. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops campaigning or leading; if leading, awaits `onStoppedLeading` and then releases the lease. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** Whether this process currently holds the lease. */
  isLeader(): boolean {
    return this.#leading;
  }

  async #run(): Promise<void> {
    if (!(await this.#acquire())) return;
    const leadership = new AbortController();
    this.#setLeading(true);
    this.#logger.info("became leader");
    Promise.resolve()
      .then(() => this.#options.onStartedLeading(leadership.signal))
      .catch((error: unknown) => this.#logger.error("onStartedLeading failed", { error }));

    await this.#renewUntilLostOrStopped();

    leadership.abort();
    this.#setLeading(false);
    const stopping = this.#stop.signal.aborted;
    if (stopping) this.#logger.info("stopped leading");
    else this.#logger.warn("leadership lost: the lease could not be renewed before the renew deadline");
    try {
      await this.#options.onStoppedLeading();
    } catch (error) {
      this.#logger.error("onStoppedLeading failed", { error });
    }
    // Only once the callback has stopped the work the lease guards may another replica start it.
    if (stopping && this.#options.releaseOnStop !== false) await this.#release();
  }

  /** Tries every retry period (jittered) until the lease is ours; false if stopped first. */
  async #acquire(): Promise<boolean> {
    this.#logger.info("attempting to acquire the lease");
    while (!this.#stop.signal.aborted) {
      if (await this.#tryAcquireOrRenew()) return true;
      await sleep(this.#clock, this.#retryPeriodMs * (1 + jitterFactor * this.#random()), this.#stop.signal);
    }
    return false;
  }

  /** Renews every retry period; returns when a renewal failed for a whole renew deadline, or on stop. */
  async #renewUntilLostOrStopped(): Promise<void> {
    for (;;) {
      await sleep(this.#clock, this.#retryPeriodMs, this.#stop.signal);
      if (this.#stop.signal.aborted) return;
      const deadline = this.#clock.now() + this.#renewDeadlineMs;
      let renewed = false;
      while (!renewed && !this.#stop.signal.aborted && this.#clock.now() < deadline) {
        renewed = await this.#beforeDeadline(this.#tryAcquireOrRenew(), deadline);
        if (!renewed) {
          const untilNextTry = Math.min(this.#retryPeriodMs, deadline - this.#clock.now());
          await sleep(this.#clock, untilNextTry, this.#stop.signal);
        }
      }
      if (!renewed) return;
    }
  }

  /** `attempt`'s result, or false if it has not settled by `deadline` (a hung request must not extend leadership). */
  async #beforeDeadline(attempt: Promise<boolean>, deadline: number): Promise<boolean> {
    const timeout = new AbortController();
    const expired = sleep(this.#clock, deadline - this.#clock.now(), timeout.signal).then(() => false);
    try {
      return await Promise.race([attempt, expired]);
    } finally {
      timeout.abort();
    }
  }

  /** One acquire-or-renew round (client-go's tryAcquireOrRenew); true if we hold the lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity } = this.#options;
    const now = new V1MicroTime(this.#clock.now());
    const desired: V1LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.#leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    // Fast path while leading: write over the lease we last wrote; a change by anyone else makes this a 409.
    if (this.#leading && this.#lease !== undefined && recordOf(this.#lease).holderIdentity === identity) {
      desired.acquireTime = this.#lease.spec?.acquireTime;
      desired.leaseTransitions = this.#lease.spec?.leaseTransitions ?? 0;
      if (await this.#write({ ...this.#lease, spec: desired })) return true;
    }

    let current: V1Lease;
    try {
      current = await kube.get<V1Lease>(leasePath(namespace, name));
    } catch (error) {
      if (statusCodeOf(error) !== 404) {
        this.#logger.warn("could not read the lease", { error });
        return false;
      }
      try {
        this.#remember(
          await kube.create<V1Lease>(leasePath(namespace), { metadata: { name, namespace }, spec: desired }),
        );
        return true;
      } catch (createError) {
        // 409: another candidate created it first; the next round reads theirs.
        this.#logger.debug("could not create the lease", { error: createError });
        return false;
      }
    }

    const record = recordOf(current);
    const recordJson = JSON.stringify(record);
    if (this.#observed?.record !== recordJson) this.#observed = { record: recordJson, at: this.#clock.now() };
    const heldByOther = record.holderIdentity !== "" && record.holderIdentity !== identity;
    if (heldByOther && this.#observed.at + record.leaseDurationSeconds * 1000 > this.#clock.now()) {
      this.#lease = current;
      return false;
    }
    if (record.holderIdentity === identity) {
      desired.acquireTime = current.spec?.acquireTime;
      desired.leaseTransitions = record.leaseTransitions;
    } else {
      desired.leaseTransitions = record.leaseTransitions + 1;
    }
    return this.#write({ ...current, spec: desired });
  }

  /** Replaces the lease with `lease` (its resourceVersion is the precondition); false on any failure. */
  async #write(lease: V1Lease): Promise<boolean> {
    const { kube, namespace, name } = this.#options;
    try {
      this.#remember(await kube.replace<V1Lease>(leasePath(namespace, name), lease));
      return true;
    } catch (error) {
      // 409 means someone else wrote first; the next round re-reads and decides again.
      if (statusCodeOf(error) === 409) this.#logger.debug("lease changed concurrently", { error });
      else this.#logger.warn("could not update the lease", { error });
      return false;
    }
  }

  #remember(lease: V1Lease): void {
    this.#lease = lease;
    this.#observed = { record: JSON.stringify(recordOf(lease)), at: this.#clock.now() };
  }

  /** Hands the lease over as client-go does: no holder, and a 1 s duration so candidates need not wait. */
  async #release(): Promise<void> {
    if (this.#lease === undefined || recordOf(this.#lease).holderIdentity !== this.#options.identity) return;
    const now = new V1MicroTime(this.#clock.now());
    const released: V1LeaseSpec = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.#lease.spec?.leaseTransitions ?? 0,
    };
    if (await this.#write({ ...this.#lease, spec: released })) this.#logger.info("released the lease");
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#metrics.masterStatus.set({ name: this.#options.name }, leading ? 1 : 0);
  }
}

function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: timeString(spec.acquireTime),
    renewTime: timeString(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

// MicroTime fields are Dates when we wrote them and the server's strings when read back.
function timeString(value: Date | string | undefined): string {
  return value === undefined ? "" : new Date(value).toISOString();
}

/** The Leases of `namespace`, or the one named `name`. */
function leasePath(namespace: string, name?: string): string {
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  return name === undefined ? leases : `${leases}/${name}`;
}
