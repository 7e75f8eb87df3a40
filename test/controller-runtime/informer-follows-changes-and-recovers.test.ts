import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Informer, silentLogger } from "../../lib/controller-runtime/index.ts";
import { adminKubeConfig, uniqueName } from "../support/stack.ts";

/** client-node's Watch, counting requests and letting a test break or refuse them. */
class ControllableWatch extends Watch {
  requests = 0;
  /** Requests still to be sent to a path that does not exist, so the real server answers 404. */
  failNext = 0;
  connections: AbortController[] = [];

  override async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, object: unknown) => void,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    this.requests++;
    const target = this.failNext-- > 0 ? `${path}-missing` : path;
    const connection = await super.watch(target, query, callback, done);
    this.connections.push(connection);
    return connection;
  }
}

describe("Informer against kube-apiserver", () => {
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  let namespace: string;
  const informers: Informer<V1ConfigMap>[] = [];

  beforeAll(() => {
    kubeConfig = adminKubeConfig();
    core = kubeConfig.makeApiClient(CoreV1Api);
  });

  afterEach(async () => {
    await Promise.all(informers.splice(0).map((informer) => informer.stop()));
  });

  async function startInformer(options: { watchTimeoutSeconds?: number; listFailures?: number } = {}) {
    namespace = uniqueName("informer");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const watch = new ControllableWatch(kubeConfig);
    let listFailures = options.listFailures ?? 0;
    const informer = new Informer<V1ConfigMap>({
      watch,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: () => {
        if (listFailures-- > 0) return Promise.reject(new Error("list refused by the test"));
        return core.listNamespacedConfigMap({ namespace });
      },
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      backoff: { initialMs: 50, maxMs: 200 },
      logger: silentLogger,
    });
    const events: string[] = [];
    informer.addEventHandler({
      add: (o) => events.push(`add ${o.metadata?.name}`),
      update: (p, o) => {
        if (p.metadata?.resourceVersion !== o.metadata?.resourceVersion)
          events.push(`update ${o.metadata?.name}`);
      },
      delete: (o) => events.push(`delete ${o.metadata?.name}`),
    });
    informers.push(informer);
    informer.start();
    await informer.whenSynced();
    // Connected, so a test that cuts the connection cuts a real one.
    await vi.waitFor(() => expect(watch.connections.length).toBeGreaterThan(0), { timeout: 10_000 });
    return { informer, watch, events };
  }

  const createConfigMap = (name: string, value = "1") =>
    core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { value } } });

  it("sees objects added, updated and deleted, and keeps its cache in step", async () => {
    const { informer, events } = await startInformer();
    await createConfigMap("one");
    await core.patchNamespacedConfigMap({
      namespace,
      name: "one",
      body: [{ op: "replace", path: "/data/value", value: "2" }],
    });
    await vi.waitFor(() => expect(informer.get(`${namespace}/one`)?.data?.value).toBe("2"), {
      timeout: 10_000,
    });
    await core.deleteNamespacedConfigMap({ namespace, name: "one" });
    await vi.waitFor(() => expect(events).toContain("delete one"), { timeout: 10_000 });
    expect(events.filter((e) => e.endsWith(" one"))).toEqual(["add one", "update one", "delete one"]);
    expect(informer.get(`${namespace}/one`)).toBeUndefined();
  });

  it("lists what existed before it started and marks itself synced", async () => {
    namespace = uniqueName("informer");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createConfigMap("early");
    const informer = new Informer<V1ConfigMap>({
      watch: new Watch(kubeConfig),
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: () => core.listNamespacedConfigMap({ namespace }),
      logger: silentLogger,
    });
    informers.push(informer);
    informer.start();
    await informer.whenSynced();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.list(namespace).map((o) => [o.kind, o.metadata?.name])).toEqual([["ConfigMap", "early"]]);
  });

  it("keeps watching after the server ends its watches (timeoutSeconds)", async () => {
    const { informer, watch } = await startInformer({ watchTimeoutSeconds: 1 });
    await vi.waitFor(() => expect(watch.requests).toBeGreaterThanOrEqual(3), { timeout: 20_000 });
    await createConfigMap("after-timeouts");
    await vi.waitFor(() => expect(informer.get(`${namespace}/after-timeouts`)).toBeDefined(), {
      timeout: 10_000,
    });
  });

  it("recovers when its watch connection is cut, catching up on what changed meanwhile", async () => {
    const { informer, watch, events } = await startInformer();
    await createConfigMap("doomed");
    await vi.waitFor(() => expect(informer.get(`${namespace}/doomed`)).toBeDefined(), { timeout: 10_000 });

    watch.connections.at(-1)?.abort();
    await core.deleteNamespacedConfigMap({ namespace, name: "doomed" });
    await createConfigMap("newcomer");

    await vi.waitFor(() => expect(informer.get(`${namespace}/newcomer`)).toBeDefined(), { timeout: 20_000 });
    expect(informer.get(`${namespace}/doomed`)).toBeUndefined();
    expect(events).toContain("delete doomed");
  });

  it("watches again after the server refuses its watch requests", async () => {
    const { informer, watch } = await startInformer();
    const requestsBefore = watch.requests;
    watch.failNext = 2;
    watch.connections.at(-1)?.abort();
    // The two refused requests (404 from the real server), then one that works.
    await vi.waitFor(() => expect(watch.requests).toBeGreaterThanOrEqual(requestsBefore + 3), {
      timeout: 20_000,
    });

    await createConfigMap("seen-by-the-new-watch");
    await vi.waitFor(() => expect(informer.get(`${namespace}/seen-by-the-new-watch`)).toBeDefined(), {
      timeout: 10_000,
    });
  });

  it("retries a failing initial list until it succeeds", async () => {
    const { informer } = await startInformer({ listFailures: 3 });
    expect(informer.hasSynced()).toBe(true);
    await createConfigMap("late");
    await vi.waitFor(() => expect(informer.get(`${namespace}/late`)).toBeDefined(), { timeout: 10_000 });
  });
});
