import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  type KubeConfig,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKubeConfig, kubeConfigWithToken, uniqueName } from "../support/stack.ts";

const group = "stacktest.imagesync.io";

async function waitForEstablished(api: ApiextensionsV1Api, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`CRD ${name} never became Established`);
}

async function createDeployment(apps: AppsV1Api, namespace: string, name: string): Promise<void> {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "main", image: "example.invalid/main:1" }] },
        },
      },
    },
  });
}

describe("kube-apiserver", () => {
  let admin: KubeConfig;
  let namespace: string;
  const plural = `gadgets${Math.floor(Math.random() * 1e6)}`;

  beforeAll(async () => {
    admin = adminKubeConfig();
    namespace = uniqueName("stack");
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await admin
      .makeApiClient(ApiextensionsV1Api)
      .deleteCustomResourceDefinition({ name: `${plural}.${group}` })
      .catch(() => undefined);
  });

  it("serves a CRD-backed object and a Deployment to the admin", async () => {
    const extensions = admin.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural, singular: plural.slice(0, -1), kind: `Gadget${plural.slice(7)}` },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: { type: "object", properties: { size: { type: "integer", minimum: 1 } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    await waitForEstablished(extensions, `${plural}.${group}`);

    const objects = admin.makeApiClient(CustomObjectsApi);
    await objects.createNamespacedCustomObject({
      group,
      version: "v1",
      namespace,
      plural,
      body: {
        apiVersion: `${group}/v1`,
        kind: `Gadget${plural.slice(7)}`,
        metadata: { name: "one" },
        spec: { size: 3 },
      },
    });
    const read = (await objects.getNamespacedCustomObject({
      group,
      version: "v1",
      namespace,
      plural,
      name: "one",
    })) as {
      spec: { size: number };
    };
    expect(read.spec.size).toBe(3);

    // The schema is enforced by the real server.
    await expect(
      objects.createNamespacedCustomObject({
        group,
        version: "v1",
        namespace,
        plural,
        body: {
          apiVersion: `${group}/v1`,
          kind: `Gadget${plural.slice(7)}`,
          metadata: { name: "bad" },
          spec: { size: 0 },
        },
      }),
    ).rejects.toMatchObject({ code: 422 });

    const apps = admin.makeApiClient(AppsV1Api);
    await createDeployment(apps, namespace, "workers");
    const deployment = await apps.readNamespacedDeployment({ namespace, name: "workers" });
    expect(deployment.spec?.replicas).toBe(2);
  });

  it("denies a ServiceAccount without a role and allows it once RBAC grants one", async () => {
    await createDeployment(admin.makeApiClient(AppsV1Api), namespace, "guarded");
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "reader" } } });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace,
      name: "reader",
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tokenRequest.status?.token;
    expect(token).toBeTruthy();
    const asReader = kubeConfigWithToken(token ?? "").makeApiClient(AppsV1Api);

    await expect(asReader.listNamespacedDeployment({ namespace })).rejects.toMatchObject({ code: 403 });

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: "deployment-reader" },
        rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "reader-reads-deployments" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployment-reader" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace }],
      },
    });

    // RBAC caches take a moment to see the new binding.
    let names: string[] = [];
    for (let attempt = 0; attempt < 50 && names.length === 0; attempt++) {
      try {
        names = (await asReader.listNamespacedDeployment({ namespace })).items.map(
          (d) => d.metadata?.name ?? "",
        );
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(names).toContain("guarded");
    await expect(asReader.deleteNamespacedDeployment({ namespace, name: "guarded" })).rejects.toMatchObject({
      code: 403,
    });
  });
});
