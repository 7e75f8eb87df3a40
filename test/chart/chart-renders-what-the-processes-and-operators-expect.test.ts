import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chartLogLevel, chartNodeOptions } from "../../bench/chart-settings.ts";
import { dashboardFile } from "./monitoring-assets.ts";
import { externalConnections, helmTemplate, type KubeObject } from "./tools.ts";

// Only the fields these tests read.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
}
interface Workload extends KubeObject {
  spec: {
    replicas?: number;
    template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec };
  };
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

const release = "demo";
const namespace = "imagesync";
const clusterScoped = new Set([
  "CustomResourceDefinition",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ClusterRole",
  "ClusterRoleBinding",
]);
const secretEnv = [
  "DATABASE_URL",
  "NATS_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "DRIVE_API_KEY",
  "API_STATIC_TOKEN",
];

function render(values: Record<string, unknown> = {}): Promise<KubeObject[]> {
  return helmTemplate({ release, namespace, setJson: { ...externalConnections, ...values } });
}

function find<T extends KubeObject = KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined)
    throw new Error(
      `no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`,
    );
  return found as T;
}

function env(container: Container | undefined, name: string): EnvVar | undefined {
  return container?.env?.find((variable) => variable.name === name);
}

function workloads(objects: KubeObject[]): Workload[] {
  return objects.filter(
    (object): object is Workload => object.kind === "Deployment" || object.kind === "Pod",
  );
}

function podSpec(workload: Workload): PodSpec {
  return workload.kind === "Pod" ? (workload.spec as unknown as PodSpec) : workload.spec.template.spec;
}

describe("the rendered chart", () => {
  it("gives the workers no Kubernetes token, no fixed replica count and time to finish transfers", async () => {
    const objects = await render();
    const worker = find<Workload>(objects, "Deployment", "demo-imagesync-worker");
    const pod = worker.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, "ServiceAccount", "demo-imagesync-worker")["automountServiceAccountToken"]).toBe(
      false,
    );
    expect(worker.spec.replicas).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    expect(env(pod.containers[0], "WORKER_SHUTDOWN_GRACE_SECONDS")?.value).toBe("100");
    expect(env(pod.containers[0], "WORKER_CONCURRENCY")?.value).toBe("16");
    expect(pod.containers[0]?.args).toEqual(["dist/worker/main.js"]);
    // No binding of any kind names the worker's ServiceAccount.
    const bindings = objects.filter((object) => object.kind.endsWith("Binding"));
    expect(JSON.stringify(bindings)).not.toContain("demo-imagesync-worker");
  });

  it("sets the heap flags and log level the benchmarks read from it", async () => {
    const objects = await render();
    for (const component of ["operator", "worker"] as const) {
      const container = find<Workload>(objects, "Deployment", `demo-imagesync-${component}`).spec.template
        .spec.containers[0];
      const nodeOptions = env(container, "NODE_OPTIONS")?.value;
      expect(nodeOptions).toMatch(/--max-semi-space-size=\d+/);
      expect(chartNodeOptions(component)).toBe(nodeOptions);
    }
    for (const component of ["operator", "worker", "api"]) {
      const container = find<Workload>(objects, "Deployment", `demo-imagesync-${component}`).spec.template
        .spec.containers[0];
      expect(env(container, "LOG_LEVEL")?.value, component).toBe(chartLogLevel());
    }
  });

  it("points the operator at the Lease and the worker Deployment its RBAC names", async () => {
    const objects = await render();
    const operator = find<Workload>(objects, "Deployment", "demo-imagesync-operator");
    const container = operator.spec.template.spec.containers[0];
    expect(operator.spec.replicas).toBe(2);
    expect(container?.args).toEqual(["dist/operator/main.js"]);

    const leaderRole = find(objects, "Role", "demo-imagesync-operator-leader-election");
    const leaseRule = (leaderRole["rules"] as Rule[]).find((rule) => rule.verbs.includes("update"));
    expect(leaseRule?.resourceNames).toEqual([env(container, "LEADER_ELECTION_ID")?.value]);
    expect(leaderRole.metadata.namespace).toBe(env(container, "LEADER_ELECTION_NAMESPACE")?.value);

    const scalerRole = find(objects, "Role", "demo-imagesync-operator-worker-scaler");
    const scaleRule = (scalerRole["rules"] as Rule[]).find((rule) =>
      rule.resources.includes("deployments/scale"),
    );
    expect(env(container, "WORKER_DEPLOYMENT")?.value).toBe(`${namespace}/${scaleRule?.resourceNames?.[0]}`);
    find(objects, "Deployment", scaleRule?.resourceNames?.[0] ?? "");
    expect(env(container, "WATCH_NAMESPACE")).toBeUndefined();
  });

  it("hands worker scaling to KEDA on the JetStream consumer the prefix names, and takes it from the operator", async () => {
    const objects = await render({
      "worker.autoscaling.mode": "keda",
      "nats.monitoringEndpoint": "nats.nats.svc:8222",
      "nats.queuePrefix": "team-a",
    });
    const scaled = find(objects, "ScaledObject", "demo-imagesync-worker");
    expect(scaled["spec"]).toMatchObject({
      scaleTargetRef: { name: "demo-imagesync-worker" },
      triggers: [
        {
          type: "nats-jetstream",
          metadata: {
            natsServerMonitoringEndpoint: "nats.nats.svc:8222",
            stream: "TEAM_A_TASKS",
            consumer: "team-a-workers",
          },
        },
      ],
    });
    const operator = find<Workload>(objects, "Deployment", "demo-imagesync-operator");
    expect(env(operator.spec.template.spec.containers[0], "WORKER_DEPLOYMENT")).toBeUndefined();
    expect(objects.some((object) => object.metadata.name === "demo-imagesync-operator-worker-scaler")).toBe(
      false,
    );
  });

  it("fixes the worker replicas only when nothing scales them", async () => {
    const objects = await render({ "worker.autoscaling.mode": "none", "worker.replicaCount": 3 });
    expect(find<Workload>(objects, "Deployment", "demo-imagesync-worker").spec.replicas).toBe(3);
  });

  it("runs every container non-root, read-only, without capabilities, with limits and probes", async () => {
    const objects = await render({ "dev.enabled": true, "monitoring.scrape.kind": "PodMonitor" });
    expect(workloads(objects).length).toBe(8);
    for (const workload of workloads(objects)) {
      const pod = podSpec(workload);
      expect(pod.securityContext, workload.metadata.name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect(container.securityContext, where).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(container.resources?.limits?.["memory"], where).toBeDefined();
        expect(container.resources?.requests?.["cpu"], where).toBeDefined();
        if (workload.kind === "Deployment" && !(pod.initContainers ?? []).includes(container)) {
          expect(container.readinessProbe, where).toBeDefined();
        }
      }
    }
    for (const component of ["operator", "worker", "api"]) {
      const container = podSpec(find<Workload>(objects, "Deployment", `demo-imagesync-${component}`))
        .containers[0];
      expect(container?.livenessProbe, component).toBeDefined();
      expect(container?.volumeMounts, component).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    }
  });

  it("passes credentials only through Secrets, and rolls the pods when the chart's Secret changes", async () => {
    const values = { "s3.accessKeyId": "AKIA1", "s3.secretAccessKey": "one", "drive.apiKey": "key" };
    const objects = await render(values);
    for (const workload of workloads(objects)) {
      for (const container of podSpec(workload).containers) {
        for (const variable of container.env ?? []) {
          if (secretEnv.includes(variable.name))
            expect(variable.valueFrom?.secretKeyRef, variable.name).toBeDefined();
        }
        const names = (container.env ?? []).map((variable) => variable.name);
        expect(new Set(names).size, `${workload.metadata.name} has duplicate env`).toBe(names.length);
      }
    }
    const checksum = (list: KubeObject[]) =>
      find<Workload>(list, "Deployment", "demo-imagesync-worker").spec.template.metadata.annotations?.[
        "checksum/credentials"
      ];
    const rotated = await render({ ...values, "s3.secretAccessKey": "two" });
    expect(checksum(objects)).toBeDefined();
    expect(checksum(rotated)).not.toBe(checksum(objects));
  });

  it("puts every namespaced object in the release namespace or a watched one", async () => {
    const objects = await render({ "operator.watchNamespaces": ["team-a", "team-b"] });
    for (const object of objects.filter((o) => !clusterScoped.has(o.kind))) {
      expect(["imagesync", "team-a", "team-b"], `${object.kind}/${object.metadata.name}`).toContain(
        object.metadata.namespace,
      );
    }
    const operator = find<Workload>(objects, "Deployment", "demo-imagesync-operator");
    expect(env(operator.spec.template.spec.containers[0], "WATCH_NAMESPACE")?.value).toBe("team-a,team-b");
  });

  it.each(["ServiceMonitor", "PodMonitor"])(
    "scrapes each component once with a %s that sets the job the alerts use",
    async (kind) => {
      const objects = await render({ "monitoring.scrape.kind": kind });
      const monitors = objects.filter((object) => object.kind.endsWith("Monitor"));
      expect(monitors.map((monitor) => monitor.kind)).toEqual([kind, kind, kind]);
      for (const component of ["operator", "worker", "api"]) {
        const monitor = find(objects, kind, `demo-imagesync-${component}`);
        const spec = monitor["spec"] as {
          selector: { matchLabels: Record<string, string> };
          endpoints?: { port: string; relabelings: unknown[] }[];
          podMetricsEndpoints?: { port: string; relabelings: unknown[] }[];
        };
        const endpoint = (spec.endpoints ?? spec.podMetricsEndpoints ?? [])[0];
        expect(endpoint?.relabelings).toEqual([
          { targetLabel: "job", replacement: `imagesync-${component}` },
        ]);
        // The port it names exists where it looks: on the selected Service, or on the selected pods.
        const selects = (labels: Record<string, string> | undefined) =>
          Object.entries(spec.selector.matchLabels).every(([key, value]) => labels?.[key] === value);
        const ports =
          kind === "ServiceMonitor"
            ? objects
                .filter((object) => object.kind === "Service" && selects(object.metadata.labels))
                .flatMap((service) => (service["spec"] as { ports: { name: string }[] }).ports)
            : workloads(objects)
                .filter((workload) =>
                  selects(
                    workload.kind === "Deployment"
                      ? (workload.spec.template.metadata as { labels?: Record<string, string> }).labels
                      : undefined,
                  ),
                )
                .flatMap((workload) =>
                  podSpec(workload).containers.flatMap((container) => container.ports ?? []),
                );
        expect(
          ports.map((port) => port.name),
          component,
        ).toContain(endpoint?.port);
      }
    },
  );

  it("ships the dashboard file in a ConfigMap with the sidecar label it is told", async () => {
    const objects = await render({
      "monitoring.grafanaDashboard.enabled": true,
      "monitoring.grafanaDashboard.sidecarLabel": "grafana.example.com/dashboard",
      "monitoring.grafanaDashboard.sidecarLabelValue": "imagesync",
    });
    const configMap = find(objects, "ConfigMap", "demo-imagesync-dashboard");
    expect(configMap.metadata.labels?.["grafana.example.com/dashboard"]).toBe("imagesync");
    expect(configMap.metadata.annotations?.["grafana_folder"]).toBe("ImageSync");
    expect(JSON.parse((configMap["data"] as Record<string, string>)["imagesync.json"] ?? "")).toEqual(
      JSON.parse(readFileSync(dashboardFile, "utf8")),
    );
  });

  it("keeps the CRD on uninstall unless told otherwise, and leaves it out when CRDs are managed elsewhere", async () => {
    const crdName = "imageimports.imagesync.io";
    const kept = find(await render(), "CustomResourceDefinition", crdName);
    expect(kept.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
    const notKept = find(await render({ "crds.keep": false }), "CustomResourceDefinition", crdName);
    expect(notKept.metadata.annotations?.["helm.sh/resource-policy"]).toBeUndefined();
    const none = await render({ "crds.enabled": false });
    expect(none.some((object) => object.kind === "CustomResourceDefinition")).toBe(false);
  });
});
