import { CoreV1Api, Watch, type V1ConfigMap } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  Controller,
  Informer,
  ItemExponentialRateLimiter,
  silentLogger,
} from "../../lib/controller-runtime/index.ts";
import { metricValue } from "../../lib/controller-runtime/testing.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";

describe("Controller fed by an Informer against kube-apiserver", () => {
  const stops: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it("reconciles each changed object by key, retries a failing one with backoff until it succeeds", async () => {
    const kubeConfig = adminKubeConfig();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const namespace = uniqueName("controller");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "existing" }, data: { state: "ok" } },
    });

    const informer = new Informer<V1ConfigMap>({
      watch: new Watch(kubeConfig),
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: () => core.listNamespacedConfigMap({ namespace }),
      logger: silentLogger,
    });
    const registry = new Registry();
    const reconciled: string[] = [];
    const controller = new Controller({
      name: "configmaps",
      maxConcurrentReconciles: 2,
      registry,
      logger: silentLogger,
      rateLimiter: new ItemExponentialRateLimiter({ initialMs: 20, maxMs: 200 }),
      reconcile: (key) => {
        const object = informer.get(key);
        reconciled.push(`${key}=${object?.data?.state ?? "gone"}`);
        if (object?.data?.state === "broken") throw new Error("cannot reconcile a broken object");
      },
    });
    controller.watch(informer);
    informer.start();
    controller.start();
    stops.push(
      () => informer.stop(),
      () => controller.stop(),
    );

    await vi.waitFor(() => expect(reconciled).toContain(`${namespace}/existing=ok`), { timeout: 10_000 });

    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "flaky" }, data: { state: "broken" } },
    });
    await vi.waitFor(
      () =>
        expect(reconciled.filter((r) => r === `${namespace}/flaky=broken`).length).toBeGreaterThanOrEqual(3),
      {
        timeout: 10_000,
      },
    );
    await core.replaceNamespacedConfigMap({
      namespace,
      name: "flaky",
      body: { metadata: { name: "flaky" }, data: { state: "ok" } },
    });
    await vi.waitFor(() => expect(reconciled).toContain(`${namespace}/flaky=ok`), { timeout: 10_000 });
    await vi.waitFor(() => expect(controller.queue.numRequeues(`${namespace}/flaky`)).toBe(0), {
      timeout: 10_000,
    });

    await core.deleteNamespacedConfigMap({ namespace, name: "existing" });
    await vi.waitFor(() => expect(reconciled).toContain(`${namespace}/existing=gone`), { timeout: 10_000 });

    const total = (result: string) =>
      metricValue(registry, "controller_runtime_reconcile_total", { controller: "configmaps", result });
    expect(await total("error")).toBeGreaterThanOrEqual(3);
    expect(await total("success")).toBeGreaterThanOrEqual(3);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_errors_total", { controller: "configmaps" }),
    ).toBe(await total("error"));
    expect(
      await metricValue(registry, "workqueue_retries_total", { name: "configmaps" }),
    ).toBeGreaterThanOrEqual(3);
  });
});
