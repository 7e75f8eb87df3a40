import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type V1ResourceAttributes,
  type V1ResourceRule,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKubeConfig, kubeConfigWithToken, uniqueName } from "../support/stack.ts";
import { externalConnections, helmInstall, helmUninstall } from "./tools.ts";
import { ensureImageImportApi } from "../support/image-import-api.ts";
import { crdSourceObjects } from "../../tools/codegen/chart-crds.ts";
import { crdObjectPatcher } from "../../tools/localstack/image-import-api.ts";

const admin = adminKubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const authorization = admin.makeApiClient(AuthorizationV1Api);
const extensions = admin.makeApiClient(ApiextensionsV1Api);
const admission = admin.makeApiClient(AdmissionregistrationV1Api);
const crdName = "imageimports.imagesync.io";

interface Installation {
  release: string;
  namespace: string;
  serviceAccount: (component: "operator" | "worker" | "api") => string;
}

function installation(prefix: string): Installation {
  const release = uniqueName(prefix);
  return { release, namespace: release, serviceAccount: (component) => `${release}-imagesync-${component}` };
}

async function createNamespace(name: string): Promise<string> {
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

/**
 * Marks the existing crds/ objects (other test files install them too) as the release's, the way Helm adopts
 * objects, so `helm install` with crds.enabled takes them over instead of refusing.
 */
async function adoptImageImportApi(into: Installation): Promise<void> {
  const body = {
    metadata: {
      labels: { "app.kubernetes.io/managed-by": "Helm" },
      annotations: {
        "meta.helm.sh/release-name": into.release,
        "meta.helm.sh/release-namespace": into.namespace,
      },
    },
  };
  const patch = crdObjectPatcher(admin, PatchStrategy.MergePatch);
  for (const object of crdSourceObjects()) await patch(object, body);
}

/** One permission as "<group>/<resource> <verb> [<name>]", the shape the expectations are written in. */
function permissions(rules: V1ResourceRule[]): string[] {
  const found = new Set<string>();
  for (const rule of rules) {
    const names = rule.resourceNames?.length ? rule.resourceNames : [""];
    for (const group of rule.apiGroups ?? [""])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs)
          for (const name of names)
            found.add(`${group || "core"}/${resource} ${verb}${name ? ` ${name}` : ""}`.trim());
  }
  return [...found].sort();
}

/** What a ServiceAccount may do in `namespace`, as the API server itself lists it (SelfSubjectRulesReview). */
async function permissionsOf(
  account: { namespace: string; name: string },
  namespace: string,
): Promise<string[]> {
  const token = await core.createNamespacedServiceAccountToken({
    namespace: account.namespace,
    name: account.name,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const review = await kubeConfigWithToken(token.status?.token ?? "")
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  expect(review.status?.incomplete).toBe(false);
  return permissions(review.status?.resourceRules ?? []);
}

/** Whether the API server lets a ServiceAccount do one thing (SubjectAccessReview). */
async function allowed(
  account: { namespace: string; name: string },
  attributes: V1ResourceAttributes,
): Promise<boolean> {
  const review = await authorization.createSubjectAccessReview({
    body: {
      spec: {
        user: `system:serviceaccount:${account.namespace}:${account.name}`,
        groups: [
          "system:serviceaccounts",
          `system:serviceaccounts:${account.namespace}`,
          "system:authenticated",
        ],
        resourceAttributes: attributes,
      },
    },
  });
  return review.status?.allowed === true;
}

const importsWatching = [
  "imagesync.io/imageimports get",
  "imagesync.io/imageimports list",
  "imagesync.io/imageimports watch",
  "imagesync.io/imageimports update",
  "imagesync.io/imageimports patch",
  "imagesync.io/imageimports delete",
  "imagesync.io/imageimports/status get",
  "imagesync.io/imageimports/status update",
  "imagesync.io/imageimports/status patch",
  "imagesync.io/imageimports/finalizers update",
  "core/events create",
  "core/events patch",
  "events.k8s.io/events create",
  "events.k8s.io/events patch",
];
const secretReading = ["core/secrets get"];
const leaderElection = (id: string) => [
  `coordination.k8s.io/leases get ${id}`,
  `coordination.k8s.io/leases update ${id}`,
  "coordination.k8s.io/leases create",
];
const workerScaling = (worker: string) => [
  `apps/deployments/scale get ${worker}`,
  `apps/deployments/scale update ${worker}`,
  `apps/deployments/scale patch ${worker}`,
  `apps/deployments get ${worker}`,
];
const apiAuth = [
  "authentication.k8s.io/tokenreviews create",
  "authorization.k8s.io/subjectaccessreviews create",
];
const apiImports = ["get", "list", "watch", "create", "patch", "delete"].map(
  (verb) => `imagesync.io/imageimports ${verb}`,
);

describe("helm install into the API server", () => {
  const everywhere = installation("chart-all");
  const scoped = installation("chart-scoped");
  const watched: string[] = [uniqueName("chart-watched"), uniqueName("chart-watched")];
  const unrelated = uniqueName("chart-unrelated");
  let baseline: Map<string, string[]>;

  /** What the ServiceAccount may do beyond what every authenticated identity may (discovery, self reviews). */
  async function extraPermissionsOf(
    install: Installation,
    component: "operator" | "worker" | "api",
    namespace: string,
  ) {
    const all = await permissionsOf(
      { namespace: install.namespace, name: install.serviceAccount(component) },
      namespace,
    );
    const common = baseline.get(namespace) ?? [];
    return all.filter((permission) => !common.includes(permission)).sort();
  }

  beforeAll(async () => {
    for (const name of [everywhere.namespace, scoped.namespace, ...watched, unrelated])
      await createNamespace(name);
    // Create it first: another test file may otherwise apply it between the adoption and the install.
    await ensureImageImportApi();
    await adoptImageImportApi(everywhere);
    await helmInstall({ ...everywhere, setJson: externalConnections });
    await helmInstall({
      ...scoped,
      setJson: { ...externalConnections, "crds.enabled": false, "operator.watchNamespaces": watched },
    });
    // An identity with no bindings at all: what every ServiceAccount may do anyway.
    await core.createNamespacedServiceAccount({
      namespace: unrelated,
      body: { metadata: { name: "nobody" } },
    });
    baseline = new Map();
    for (const namespace of [everywhere.namespace, scoped.namespace, ...watched, unrelated]) {
      baseline.set(namespace, await permissionsOf({ namespace: unrelated, name: "nobody" }, namespace));
    }
  });

  afterAll(async () => {
    await helmUninstall(scoped.release, scoped.namespace);
  });

  it("serves the ImageImport CRD, marked to survive uninstall", async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: crdName });
    expect(crd.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Established", status: "True" }),
    );
    expect(crd.metadata?.annotations).toMatchObject({
      "helm.sh/resource-policy": "keep",
      "meta.helm.sh/release-name": everywhere.release,
    });
  });

  it("creates the RBAC objects, the ServiceAccounts and the workloads", async () => {
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const selector = `app.kubernetes.io/instance=${everywhere.release}`;
    const clusterRoles = await rbac.listClusterRole({ labelSelector: selector });
    expect(clusterRoles.items.map((role) => role.metadata?.name).sort()).toEqual(
      ["api", "api-auth", "operator", "operator-secrets"].map(
        (suffix) => `${everywhere.release}-imagesync-${suffix}`,
      ),
    );
    const roles = await rbac.listNamespacedRole({ namespace: everywhere.namespace, labelSelector: selector });
    expect(roles.items.map((role) => role.metadata?.name).sort()).toEqual(
      ["operator-leader-election", "operator-worker-scaler"].map(
        (suffix) => `${everywhere.release}-imagesync-${suffix}`,
      ),
    );
    const accounts = await core.listNamespacedServiceAccount({
      namespace: everywhere.namespace,
      labelSelector: selector,
    });
    expect(
      accounts.items.map((account) => [account.metadata?.name, account.automountServiceAccountToken]),
    ).toEqual(
      expect.arrayContaining([
        [everywhere.serviceAccount("operator"), true],
        [everywhere.serviceAccount("worker"), false],
        [everywhere.serviceAccount("api"), true],
      ]),
    );
    const worker = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({
      namespace: everywhere.namespace,
      name: everywhere.serviceAccount("worker"),
    });
    expect(worker.spec?.template.spec?.automountServiceAccountToken).toBe(false);
  });

  describe("watching every namespace", () => {
    const lease = () => `${everywhere.release}-imagesync-operator`;
    const worker = () => `${everywhere.release}-imagesync-worker`;

    it("lets the operator do exactly its job in its own namespace", async () => {
      expect(await extraPermissionsOf(everywhere, "operator", everywhere.namespace)).toEqual(
        [...importsWatching, ...secretReading, ...leaderElection(lease()), ...workerScaling(worker())].sort(),
      );
    });

    it("lets the operator watch imports and record events elsewhere, but read no Secret there", async () => {
      expect(await extraPermissionsOf(everywhere, "operator", unrelated)).toEqual(
        [...importsWatching].sort(),
      );
    });

    it("gives the worker nothing, anywhere", async () => {
      expect(await extraPermissionsOf(everywhere, "worker", everywhere.namespace)).toEqual([]);
      expect(await extraPermissionsOf(everywhere, "worker", unrelated)).toEqual([]);
    });

    it("lets the API review tokens and access, and manage imports", async () => {
      expect(await extraPermissionsOf(everywhere, "api", unrelated)).toEqual(
        [...apiAuth, ...apiImports].sort(),
      );
    });

    it.each([
      [
        "operator",
        true,
        { verb: "update", group: "imagesync.io", resource: "imageimports", subresource: "status" },
      ],
      ["operator", true, { verb: "update", group: "coordination.k8s.io", resource: "leases", name: "LEASE" }],
      [
        "operator",
        false,
        { verb: "update", group: "coordination.k8s.io", resource: "leases", name: "someone-elses" },
      ],
      [
        "operator",
        false,
        { verb: "delete", group: "coordination.k8s.io", resource: "leases", name: "LEASE" },
      ],
      [
        "operator",
        true,
        { verb: "patch", group: "apps", resource: "deployments", subresource: "scale", name: "WORKER" },
      ],
      [
        "operator",
        false,
        { verb: "patch", group: "apps", resource: "deployments", subresource: "scale", name: "other" },
      ],
      ["operator", false, { verb: "update", group: "apps", resource: "deployments", name: "WORKER" }],
      ["operator", true, { verb: "get", resource: "secrets", name: "drive-key" }],
      ["operator", false, { verb: "list", resource: "secrets" }],
      ["operator", false, { verb: "watch", resource: "secrets" }],
      ["operator", true, { verb: "delete", group: "imagesync.io", resource: "imageimports" }],
      ["operator", false, { verb: "create", group: "imagesync.io", resource: "imageimports" }],
      ["operator", false, { verb: "create", resource: "pods" }],
      ["worker", false, { verb: "get", group: "imagesync.io", resource: "imageimports" }],
      ["worker", false, { verb: "get", resource: "secrets" }],
      ["api", true, { verb: "create", group: "imagesync.io", resource: "imageimports" }],
      [
        "api",
        false,
        { verb: "update", group: "imagesync.io", resource: "imageimports", subresource: "status" },
      ],
      ["api", false, { verb: "get", resource: "secrets" }],
    ] as const)(
      "SubjectAccessReview: %s may %s %j in its namespace",
      async (component, expected, attributes) => {
        const resolved = {
          ...attributes,
          namespace: everywhere.namespace,
          ...("name" in attributes
            ? { name: attributes.name.replace("LEASE", lease()).replace("WORKER", worker()) }
            : {}),
        };
        const account = { namespace: everywhere.namespace, name: everywhere.serviceAccount(component) };
        expect(await allowed(account, resolved)).toBe(expected);
      },
    );

    it("SubjectAccessReview: the operator may not read Secrets outside the namespaces granted", async () => {
      const account = { namespace: everywhere.namespace, name: everywhere.serviceAccount("operator") };
      expect(
        await allowed(account, { namespace: unrelated, verb: "get", resource: "secrets", name: "x" }),
      ).toBe(false);
      expect(
        await allowed(account, {
          namespace: unrelated,
          verb: "get",
          group: "imagesync.io",
          resource: "imageimports",
        }),
      ).toBe(true);
    });
  });

  describe("watching a list of namespaces", () => {
    it("grants imports, events and Secrets only in the watched namespaces", async () => {
      for (const namespace of watched) {
        expect(await extraPermissionsOf(scoped, "operator", namespace)).toEqual(
          [...importsWatching, ...secretReading].sort(),
        );
      }
      expect(await extraPermissionsOf(scoped, "operator", unrelated)).toEqual([]);
    });

    it("keeps the Lease and the worker scale in the release namespace", async () => {
      expect(await extraPermissionsOf(scoped, "operator", scoped.namespace)).toEqual(
        [
          ...leaderElection(`${scoped.release}-imagesync-operator`),
          ...workerScaling(`${scoped.release}-imagesync-worker`),
        ].sort(),
      );
    });

    it("lets the API manage imports only in the watched namespaces", async () => {
      expect(await extraPermissionsOf(scoped, "api", watched[0] ?? "")).toEqual(
        [...apiAuth, ...apiImports].sort(),
      );
      expect(await extraPermissionsOf(scoped, "api", unrelated)).toEqual([...apiAuth].sort());
    });
  });

  it("keeps the CRD and its admission policy when the release that installed them is uninstalled", async () => {
    await helmUninstall(everywhere.release, everywhere.namespace);
    const crd = await extensions.readCustomResourceDefinition({ name: crdName });
    expect(crd.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Established", status: "True" }),
    );
    const policyName = "imageimports.imagesync.io-destination-within-namespace";
    await expect(admission.readValidatingAdmissionPolicy({ name: policyName })).resolves.toBeDefined();
    await expect(admission.readValidatingAdmissionPolicyBinding({ name: policyName })).resolves.toBeDefined();
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const left = await rbac.listClusterRole({
      labelSelector: `app.kubernetes.io/instance=${everywhere.release}`,
    });
    expect(left.items).toEqual([]);
  });
});
