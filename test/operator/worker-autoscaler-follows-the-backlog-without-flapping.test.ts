import { jetstream } from "@nats-io/jetstream";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock, metricValue, silentLogger } from "../../lib/controller-runtime/index.ts";
import { ensureTaskStream, ensureWorkerConsumer } from "../../lib/queue/index.ts";
import { createOperatorMetrics } from "../../operator/metrics.ts";
import { WorkerAutoscaler } from "../../operator/worker-autoscaler.ts";
import { OperatorHarness } from "./support/harness.ts";
import { adminKubeClient } from "../support/stack.ts";

describe("the worker autoscaler", () => {
  let harness: OperatorHarness;

  beforeAll(async () => {
    harness = await OperatorHarness.start({ start: false });
  });
  afterAll(() => harness.close());

  it("scales a real Deployment with the backlog, within bounds, and back to the minimum once idle, without flapping", async () => {
    await harness.apps.createNamespacedDeployment({
      namespace: harness.namespace,
      body: {
        metadata: { name: "workers" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "workers" } },
          template: {
            metadata: { labels: { app: "workers" } },
            spec: { containers: [{ name: "worker", image: "example.invalid/worker:1" }] },
          },
        },
      },
    });
    await ensureTaskStream(harness.jsm, harness.topology);
    await ensureWorkerConsumer(harness.jsm, harness.topology);
    const registry = new Registry();
    const metrics = createOperatorMetrics(registry);
    const clock = new FakeClock();
    const autoscaler = new WorkerAutoscaler({
      kube: adminKubeClient(),
      jsm: harness.jsm,
      topology: harness.topology,
      config: {
        namespace: harness.namespace,
        deployment: "workers",
        minReplicas: 1,
        maxReplicas: 4,
        targetTasksPerReplica: 10,
        scaleDownStabilizationMs: 60_000,
        intervalMs: 15_000,
      },
      metrics,
      logger: silentLogger,
      clock,
    });
    const js = jetstream(harness.nats);
    const subject = `${harness.topology.subjectRoot}.import-a`;
    const publish = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) await js.publish(subject, "{}");
    };
    const consumer = await js.consumers.get(harness.topology.stream, harness.topology.consumer);
    // One fetch may return fewer than asked under load; keep pulling until the backlog really shrank.
    const take = async (count: number): Promise<void> => {
      let taken = 0;
      while (taken < count) {
        const messages = await consumer.fetch({ max_messages: count - taken, expires: 2_000 });
        for await (const message of messages) {
          await message.ackAck();
          taken++;
        }
      }
    };
    const replicas = async (): Promise<number> =>
      (await harness.apps.readNamespacedDeploymentScale({ name: "workers", namespace: harness.namespace }))
        .spec?.replicas ?? 0;
    const seen: number[] = [];
    const tick = async (advanceMs = 15_000): Promise<void> => {
      await clock.advance(advanceMs);
      await autoscaler.tick();
      seen.push(await replicas());
    };

    await tick(); // idle: the minimum
    await publish(25);
    await tick(); // 25 tasks at 10 per replica: 3
    await publish(100);
    await tick(); // 125 tasks: capped at 4
    await take(120);
    await tick(); // a dip to 5 tasks inside the window: stays at 4
    await publish(30);
    await tick(); // back to 35: still 4, nothing written
    await take(35);
    for (let i = 0; i < 3; i++) await tick(); // idle, but the window still remembers 4
    await tick(); // the window has passed: back to the minimum
    await tick();

    expect(seen).toEqual([1, 3, 4, 4, 4, 4, 4, 4, 1, 1]);
    expect(
      await metricValue(registry, "imagesync_operator_worker_scale_writes_total", { direction: "up" }),
    ).toBe(2);
    expect(
      await metricValue(registry, "imagesync_operator_worker_scale_writes_total", { direction: "down" }),
    ).toBe(1);
    expect(await metricValue(registry, "imagesync_operator_worker_desired_replicas")).toBe(1);
    expect(await metricValue(registry, "imagesync_operator_worker_backlog_tasks")).toBe(0);
  });
});
