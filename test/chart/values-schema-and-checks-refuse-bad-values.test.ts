import { describe, expect, it } from "vitest";
import { externalConnections, helmTemplateResult } from "./tools.ts";

/** Renders with `values` on top of a working configuration and returns what Helm said. */
async function refusal(values: Record<string, unknown>, base: Record<string, unknown> = externalConnections) {
  const result = await helmTemplateResult({ setJson: { ...base, ...values } });
  expect(result.code).not.toBe(0);
  return result.stderr;
}

describe("values.schema.json", () => {
  it("accepts the working configuration the other cases start from", async () => {
    expect((await helmTemplateResult({ setJson: externalConnections })).code).toBe(0);
  });

  it.each([
    [{ "worker.concurency": 8 }, "at '/worker': additional properties 'concurency' not allowed"],
    [{ logLevl: "debug" }, "additional properties 'logLevl' not allowed"],
    [{ "monitoring.scrape.kind": "ServiceMonitors" }, "at '/monitoring/scrape/kind'"],
    [{ "worker.concurrency": "16" }, "at '/worker/concurrency': got string, want integer"],
    [{ "operator.replicaCount": 0 }, "at '/operator/replicaCount'"],
    [{ "worker.autoscaling.mode": "hpa" }, "at '/worker/autoscaling/mode'"],
    [{ "s3.checksums": "ALWAYS" }, "at '/s3/checksums'"],
    [{ "operator.watchNamespaces": ["Team_A"] }, "at '/operator/watchNamespaces/0'"],
    [{ "worker.terminationGracePeriodSeconds": 5 }, "at '/worker/terminationGracePeriodSeconds'"],
    [{ "nats.queuePrefix": "Image Sync" }, "at '/nats/queuePrefix'"],
    [{ "api.podDisruptionBudget.maxUnavailable": "half" }, "at '/api/podDisruptionBudget/maxUnavailable'"],
    [{ "monitoring.prometheusRule.disabledAlerts": ["ImageSyncImportFailing"] }, "disabledAlerts/0"],
  ])("refuses %j", async (values, message) => {
    expect(await refusal(values)).toContain(message);
  });
});

describe("the chart's own checks", () => {
  it("refuses an installation without PostgreSQL, naming the values that fix it", async () => {
    expect(await refusal({}, { "nats.url": "nats://nats:4222", "s3.defaultBucket": "images" })).toContain(
      "PostgreSQL is not configured: set database.existingSecret",
    );
  });

  it("refuses an installation without NATS", async () => {
    expect(await refusal({ "nats.url": "" })).toContain("NATS is not configured");
  });

  it("refuses an installation without a bucket", async () => {
    expect(await refusal({ "s3.defaultBucket": "" })).toContain("S3 is not configured: set s3.defaultBucket");
  });

  it("refuses KEDA scaling without a NATS monitoring endpoint", async () => {
    expect(await refusal({ "worker.autoscaling.mode": "keda" })).toContain("set nats.monitoringEndpoint");
  });

  it("refuses a minimum above the maximum of workers", async () => {
    expect(
      await refusal({ "worker.autoscaling.minReplicas": 5, "worker.autoscaling.maxReplicas": 2 }),
    ).toContain("worker.autoscaling.minReplicas (5) is above maxReplicas (2)");
  });

  it("refuses an access key without its secret", async () => {
    expect(await refusal({ "s3.accessKeyId": "AKIA" })).toContain("s3.secretAccessKey is required");
  });
});
