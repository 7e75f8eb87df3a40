import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { Controller, HealthServer, LeaderElector, silentLogger } from "../../lib/controller-runtime/index.ts";
import { adminKubeClient } from "../support/stack.ts";

describe("HealthServer", () => {
  const servers: HealthServer[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(registry = new Registry()): Promise<{ server: HealthServer; url: string }> {
    const server = new HealthServer({ port: 0, host: "127.0.0.1", registry, logger: silentLogger });
    servers.push(server);
    const port = await server.listen();
    return { server, url: `http://127.0.0.1:${port}` };
  }

  it("answers /readyz with 503 naming the failing check, and 200 once it passes", async () => {
    const { server, url } = await start();
    let cacheSynced = false;
    server.addReadyzCheck("informers-synced", () => {
      if (!cacheSynced) throw new Error("imageimports cache not synced");
    });
    server.addReadyzCheck("ping", () => undefined);

    const failing = await fetch(`${url}/readyz`);
    expect(failing.status).toBe(503);
    const body = await failing.text();
    expect(body).toContain("[-]informers-synced failed: imageimports cache not synced");
    expect(body).toContain("[+]ping ok");

    cacheSynced = true;
    const passing = await fetch(`${url}/readyz`);
    expect(passing.status).toBe(200);
    expect(await passing.text()).toBe("ok\n");
  });

  it("answers /healthz from its own checks, independently of readiness", async () => {
    const { server, url } = await start();
    server.addReadyzCheck("never-ready", () => Promise.reject(new Error("not yet")));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    server.addHealthzCheck("event-loop", () => {
      throw new Error("stuck");
    });
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("[-]event-loop failed: stuck");
    expect((await fetch(`${url}/nothing-here`)).status).toBe(404);
  });

  it("serves the registry on /metrics under controller-runtime's and client-go's names", async () => {
    const registry = new Registry();
    new Controller({ name: "imageimport", reconcile: () => undefined, registry, logger: silentLogger });
    new LeaderElector({
      kube: adminKubeClient(),
      namespace: "default",
      name: "imagesync-operator",
      identity: "test",
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
      registry,
      logger: silentLogger,
    });
    const { url } = await start(registry);

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    for (const name of [
      "controller_runtime_reconcile_total",
      "controller_runtime_reconcile_errors_total",
      "controller_runtime_reconcile_time_seconds",
      "controller_runtime_active_workers",
      "controller_runtime_max_concurrent_reconciles",
      "workqueue_depth",
      "workqueue_adds_total",
      "workqueue_retries_total",
      "workqueue_queue_duration_seconds",
      "workqueue_work_duration_seconds",
      "workqueue_unfinished_work_seconds",
      "workqueue_longest_running_processor_seconds",
      "leader_election_master_status",
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('controller_runtime_reconcile_total{controller="imageimport",result="success"} 0');
    expect(text).toContain('workqueue_depth{name="imageimport"} 0');
    expect(text).toContain('leader_election_master_status{name="imagesync-operator"} 0');
  });
});
