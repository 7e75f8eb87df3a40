import type { V1Scale } from "@kubernetes/client-node";
import type { JetStreamManager } from "@nats-io/jetstream";
import {
  sleep,
  statusCodeOf,
  type Clock,
  type KubeClient,
  type Logger,
} from "../lib/controller-runtime/index.ts";
import type { QueueTopology } from "../lib/queue/index.ts";
import type { WorkerAutoscalingConfig } from "./config.ts";
import type { OperatorMetrics } from "./metrics.ts";

/**
 * Scales the worker Deployment through its `scale` subresource from the task backlog (the shared
 * consumer's num_pending + num_ack_pending): up at once, down only once a lower count has been
 * recommended for a whole stabilisation window (as the HPA does), always within the configured bounds.
 * Workers drain on SIGTERM, so scaling down loses no work.
 */

export interface ReplicaBounds {
  minReplicas: number;
  maxReplicas: number;
  targetTasksPerReplica: number;
}

/** Replicas for `backlog` tasks: one per `targetTasksPerReplica`, rounded up, within the bounds. */
export function recommendReplicas(backlog: number, bounds: ReplicaBounds): number {
  const wanted = Math.ceil(Math.max(0, backlog) / bounds.targetTasksPerReplica);
  return Math.min(bounds.maxReplicas, Math.max(bounds.minReplicas, wanted));
}

/**
 * HPA's scale-down stabilisation: the desired count is the highest recommendation of the last window, so a
 * dip in the backlog does not scale down only to scale up again a moment later. Scaling up is immediate.
 */
export class ScaleDownStabilizer {
  readonly #windowMs: number;
  #recommendations: { at: number; replicas: number }[] = [];

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records `recommended` at `now` and returns the replicas to run. */
  desired(recommended: number, now: number): number {
    this.#recommendations = this.#recommendations.filter((entry) => now - entry.at < this.#windowMs);
    this.#recommendations.push({ at: now, replicas: recommended });
    return Math.max(...this.#recommendations.map((entry) => entry.replicas));
  }
}

export interface WorkerAutoscalerOptions {
  kube: KubeClient;
  jsm: JetStreamManager;
  topology: QueueTopology;
  config: WorkerAutoscalingConfig;
  metrics: OperatorMetrics;
  logger: Logger;
  clock: Clock;
}

/** The autoscaling loop; `tick` is one evaluation (tests drive it directly). */
export class WorkerAutoscaler {
  readonly #options: WorkerAutoscalerOptions;
  readonly #stabilizer: ScaleDownStabilizer;
  readonly #logger: Logger;
  #seeded = false;
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: WorkerAutoscalerOptions) {
    this.#options = options;
    this.#stabilizer = new ScaleDownStabilizer(options.config.scaleDownStabilizationMs);
    this.#logger = options.logger.child({
      autoscaler: `${options.config.namespace}/${options.config.deployment}`,
    });
  }

  start(): void {
    if (this.#loop !== undefined) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#loop = (async () => {
      while (!stop.signal.aborted) {
        try {
          await this.tick();
        } catch (error) {
          this.#logger.warn("autoscaling failed; trying again next interval", { error });
        }
        await sleep(this.#options.clock, this.#options.config.intervalMs, stop.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One evaluation: reads the backlog and the Deployment's scale, writes a new replica count if due. */
  async tick(): Promise<{ backlog: number; current: number; desired: number }> {
    const { kube, config, metrics, clock } = this.#options;
    const backlog = await this.#backlog();
    const name = config.deployment;
    const namespace = config.namespace;
    const scalePath = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`;
    const scale = await kube.get<V1Scale>(scalePath);
    const current = scale.spec?.replicas ?? 0;
    const now = clock.now();
    // Right after start, what runs now counts as recommended: a fresh leader must not scale down at once.
    if (!this.#seeded) {
      this.#stabilizer.desired(Math.min(config.maxReplicas, Math.max(config.minReplicas, current)), now);
      this.#seeded = true;
    }
    const desired = this.#stabilizer.desired(recommendReplicas(backlog, config), now);
    metrics.workerBacklog.set(backlog);
    metrics.workerDesiredReplicas.set(desired);
    metrics.workerCurrentReplicas.set(current);
    if (desired !== current) {
      try {
        // The read's resourceVersion makes this conditional; a concurrent change is a 409, retried next tick.
        await kube.replace(scalePath, { ...scale, spec: { ...scale.spec, replicas: desired } });
        metrics.workerScaleWrites.inc({ direction: desired > current ? "up" : "down" });
        metrics.workerCurrentReplicas.set(desired);
        this.#logger.info("scaled workers", { from: current, to: desired, backlog });
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
      }
    }
    return { backlog, current, desired };
  }

  /** Tasks waiting for or held by workers; the stream's message count until the workers' consumer exists. */
  async #backlog(): Promise<number> {
    const { jsm, topology } = this.#options;
    try {
      const info = await jsm.consumers.info(topology.stream, topology.consumer);
      return info.num_pending + info.num_ack_pending;
    } catch (error) {
      if (!/not found/i.test(error instanceof Error ? error.message : String(error))) throw error;
      return (await jsm.streams.info(topology.stream)).state.messages;
    }
  }
}
