import { CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { EventRecorder, silentLogger } from "../../lib/controller-runtime/index.ts";
import { adminKubeClient, adminKubeConfig, uniqueName } from "../support/stack.ts";

describe("EventRecorder against kube-apiserver", () => {
  let core: CoreV1Api;
  const kube = adminKubeClient();
  let namespace: string;
  let subject: V1ConfigMap;

  beforeAll(async () => {
    core = adminKubeConfig().makeApiClient(CoreV1Api);
    namespace = uniqueName("events");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    subject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      ...(await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "subject" } } })),
    };
  });

  const eventsAbout = async (name: string) =>
    (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;

  it("writes one Event with a count for repeated identical events, and a new one for a different reason", async () => {
    const recorder = new EventRecorder({
      kube,
      component: "imagesync-test",
      instance: "pod-0",
      logger: silentLogger,
    });
    await Promise.all([
      recorder.record(subject, "Warning", "SourceUnreachable", "Drive answered 503"),
      recorder.record(subject, "Warning", "SourceUnreachable", "Drive answered 503"),
    ]);
    await recorder.record(subject, "Warning", "SourceUnreachable", "Drive answered 503");
    await recorder.record(subject, "Normal", "ListingStarted", "listing the folder");

    const events = await eventsAbout("subject");
    expect(events).toHaveLength(2);
    const repeated = events.find((e) => e.reason === "SourceUnreachable");
    expect(repeated).toMatchObject({
      type: "Warning",
      message: "Drive answered 503",
      count: 3,
      involvedObject: { kind: "ConfigMap", name: "subject", namespace, uid: subject.metadata?.uid },
      source: { component: "imagesync-test" },
      reportingComponent: "imagesync-test",
      reportingInstance: "pod-0",
    });
    expect(repeated?.lastTimestamp?.getTime()).toBeGreaterThanOrEqual(
      repeated?.firstTimestamp?.getTime() ?? Infinity,
    );
    expect(events.find((e) => e.reason === "ListingStarted")?.count).toBe(1);
  });

  it("starts a new Event when the one it was counting has gone (expired)", async () => {
    const recorder = new EventRecorder({ kube, component: "imagesync-test", logger: silentLogger });
    const other = { ...subject, metadata: { ...subject.metadata, name: "expiring" } };
    await recorder.record(other, "Normal", "Synced", "in sync");
    const [first] = await eventsAbout("expiring");
    await core.deleteNamespacedEvent({ namespace, name: first?.metadata?.name ?? "" });
    await recorder.record(other, "Normal", "Synced", "in sync");
    const events = await eventsAbout("expiring");
    expect(events.map((e) => e.count)).toEqual([1]);
  });

  it("never throws into its caller when the API refuses the Event", async () => {
    const errors: unknown[] = [];
    const logger = {
      ...silentLogger,
      error: (_message: string, fields?: Record<string, unknown>) => void errors.push(fields?.error),
    };
    const recorder = new EventRecorder({ kube, component: "imagesync-test", logger });
    const orphan = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace: uniqueName("missing"), name: "x" },
    };
    await expect(recorder.record(orphan, "Warning", "Failed", "no such namespace")).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
