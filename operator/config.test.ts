import { describe, expect, it } from "vitest";
import { ConfigError, loadOperatorConfig } from "./config.ts";

const required = {
  DATABASE_URL: "postgres://imagesync@db:5432/imagesync",
  NATS_URL: "nats://nats:4222",
  DEFAULT_BUCKET: "photos",
};

describe("operator configuration", () => {
  it("applies the documented defaults", () => {
    const config = loadOperatorConfig(required, "operator-7d9f");
    expect(config).toMatchObject({
      kubeconfigPath: undefined,
      queuePrefix: "imagesync",
      drive: {
        rootUrl: "https://www.googleapis.com/",
        defaultApiKey: undefined,
        requestsPerSecond: 10,
        burst: 100,
      },
      defaultBucket: "photos",
      watchNamespaces: undefined,
      leaderElection: {
        enabled: true,
        namespace: "default",
        name: "imagesync-operator",
        leaseDurationMs: 15_000,
      },
      metricsPort: 8080,
      healthPort: 8081,
      workerAutoscaling: undefined,
      s3: undefined,
      logLevel: "info",
    });
    expect(config.leaderElection.identity).toMatch(/^operator-7d9f-[a-z0-9]+$/);
  });

  it("reads the Drive root URL, the autoscaling target and its bounds", () => {
    const config = loadOperatorConfig({
      ...required,
      DRIVE_API_ROOT_URL: "http://127.0.0.1:9000",
      WORKER_DEPLOYMENT: "imagesync/worker",
      WORKER_MIN_REPLICAS: "2",
      WORKER_MAX_REPLICAS: "20",
      WORKER_SCALE_DOWN_STABILIZATION_SECONDS: "120",
      WATCH_NAMESPACE: "team-a, team-b",
    });
    expect(config.watchNamespaces).toEqual(["team-a", "team-b"]);
    expect(config.drive.rootUrl).toBe("http://127.0.0.1:9000/");
    expect(config.workerAutoscaling).toEqual({
      namespace: "imagesync",
      deployment: "worker",
      minReplicas: 2,
      maxReplicas: 20,
      targetTasksPerReplica: 200,
      scaleDownStabilizationMs: 120_000,
      intervalMs: 15_000,
    });
  });

  it("reports every problem at once, each naming its variable", () => {
    let error: unknown;
    try {
      loadOperatorConfig({
        NATS_URL: "nats://nats:4222",
        METRICS_PORT: "eighty",
        WORKER_DEPLOYMENT: "worker",
        IMAGESYNC_QUEUE_PREFIX: "Bad.Prefix",
        LOG_LEVEL: "loud",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      "DATABASE_URL",
      "DEFAULT_BUCKET",
      "METRICS_PORT",
      "WORKER_DEPLOYMENT",
      "IMAGESYNC_QUEUE_PREFIX",
      "LOG_LEVEL",
    ]) {
      expect(message).toContain(name);
    }
  });

  it("refuses autoscaling bounds that cross", () => {
    expect(() =>
      loadOperatorConfig({
        ...required,
        WORKER_DEPLOYMENT: "a/b",
        WORKER_MIN_REPLICAS: "5",
        WORKER_MAX_REPLICAS: "2",
      }),
    ).toThrow("WORKER_MAX_REPLICAS (2) must be at least WORKER_MIN_REPLICAS (5)");
  });
});
