import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findCondition,
  patchStatus,
  setCondition,
  type Condition,
} from "../../lib/controller-runtime/index.ts";
import { adminKubeClient, adminKubeConfig, uniqueName } from "../support/stack.ts";

const group = "crtest.imagesync.io";
const version = "v1";

interface Widget {
  metadata: { name: string; generation: number; resourceVersion: string };
  spec: { size: number };
  status?: { observedGeneration?: number; counters?: Record<string, number>; conditions?: Condition[] };
}

describe("patchStatus against kube-apiserver", () => {
  // A CRD of its own, so no other test's schema or objects can interfere.
  const plural = `widgets${Math.floor(Math.random() * 1e9)}`;
  const crdName = `${plural}.${group}`;
  let extensions: ApiextensionsV1Api;
  let objects: CustomObjectsApi;
  const kube = adminKubeClient();
  let namespace: string;

  beforeAll(async () => {
    const kubeConfig = adminKubeConfig();
    extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
    objects = kubeConfig.makeApiClient(CustomObjectsApi);
    namespace = uniqueName("status");
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: crdName },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural, singular: plural.slice(0, -1), kind: `Widget${plural.slice(7)}` },
          versions: [
            {
              name: version,
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: { type: "object", properties: { size: { type: "integer" } } },
                    status: {
                      type: "object",
                      properties: {
                        observedGeneration: { type: "integer" },
                        counters: { type: "object", additionalProperties: { type: "integer" } },
                        conditions: {
                          type: "array",
                          x_kubernetes_list_type: "map",
                          x_kubernetes_list_map_keys: ["type"],
                          items: {
                            type: "object",
                            required: ["type", "status", "reason", "message", "lastTransitionTime"],
                            properties: {
                              type: { type: "string" },
                              status: { type: "string", enum: ["True", "False", "Unknown"] },
                              reason: { type: "string" },
                              message: { type: "string" },
                              observedGeneration: { type: "integer" },
                              lastTransitionTime: { type: "string", format: "date-time" },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    for (let attempt = 0; ; attempt++) {
      const crd = await extensions.readCustomResourceDefinition({ name: crdName });
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (attempt > 100) throw new Error(`CRD ${crdName} never became Established`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await extensions.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
  });

  const ref = (name: string) => ({ group, version, plural, namespace, name });
  const read = async (name: string) => (await objects.getNamespacedCustomObject(ref(name))) as Widget;

  it("writes status through /status with a merge patch, leaving spec and generation alone", async () => {
    await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: {
        apiVersion: `${group}/${version}`,
        kind: `Widget${plural.slice(7)}`,
        metadata: { name: "one" },
        spec: { size: 3 },
      },
    });
    const created = await read("one");

    const conditions = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Listing", message: "listing" },
      new Date(),
    );
    const returned = (await patchStatus(kube, ref("one"), {
      observedGeneration: created.metadata.generation,
      counters: { total: 10, succeeded: 0 },
      conditions,
    })) as Widget;
    expect(returned.status?.counters).toEqual({ total: 10, succeeded: 0 });

    const afterFirst = await read("one");
    expect(afterFirst.status).toEqual({
      observedGeneration: 1,
      counters: { total: 10, succeeded: 0 },
      conditions,
    });
    expect(afterFirst.spec).toEqual({ size: 3 });
    expect(afterFirst.metadata.generation).toBe(created.metadata.generation);

    // A second patch merges objects key by key and replaces the conditions list with the one given.
    const later = setCondition(
      afterFirst.status?.conditions,
      { type: "Ready", status: "True", reason: "Done", message: "" },
      new Date(),
    );
    await patchStatus(kube, ref("one"), { counters: { succeeded: 10 }, conditions: later });
    const afterSecond = await read("one");
    expect(afterSecond.status?.counters).toEqual({ total: 10, succeeded: 10 });
    expect(findCondition(afterSecond.status?.conditions, "Ready")).toMatchObject({
      status: "True",
      reason: "Done",
    });
    expect(afterSecond.status?.conditions).toHaveLength(1);
  });

  it("does not conflict with a writer that changed the object since it was read", async () => {
    await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: {
        apiVersion: `${group}/${version}`,
        kind: `Widget${plural.slice(7)}`,
        metadata: { name: "two" },
        spec: { size: 1 },
      },
    });
    const stale = await read("two");
    await objects.patchNamespacedCustomObject({
      ...ref("two"),
      body: [{ op: "replace", path: "/spec/size", value: 2 }],
    });
    await patchStatus(kube, ref("two"), { observedGeneration: stale.metadata.generation });
    const current = await read("two");
    expect(current.metadata.resourceVersion).not.toBe(stale.metadata.resourceVersion);
    expect(current.status?.observedGeneration).toBe(1);
    expect(current.metadata.generation).toBe(2);
  });
});
