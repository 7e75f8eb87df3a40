import type { KubernetesListObject, V1ConfigMap } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { Informer } from "./informer.ts";
import { silentLogger } from "../log/index.ts";
import { FakeClock, settle } from "./testing.ts";

/** One watch request the informer made, which the test drives. */
interface WatchCall {
  query: Record<string, unknown>;
  send(type: string, object: unknown): void;
  end(error: unknown): void;
}

/** Stands in for client-node's Watch: records each request and lets the test send events and end it. */
class ScriptedWatch {
  readonly calls: WatchCall[] = [];

  watch(
    _path: string,
    query: Record<string, unknown>,
    callback: (type: string, object: unknown) => void,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    let ended = false;
    const end = (error: unknown): void => {
      if (ended) return;
      ended = true;
      done(error);
    };
    controller.signal.addEventListener("abort", () => end(null));
    this.calls.push({ query, send: (type, object) => !ended && callback(type, object), end });
    return Promise.resolve(controller);
  }

  last(): WatchCall {
    const call = this.calls.at(-1);
    if (call === undefined) throw new Error("no watch yet");
    return call;
  }
}

function configMap(name: string, resourceVersion: string): V1ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "ns", name, resourceVersion } };
}

interface Fixture {
  clock: FakeClock;
  watch: ScriptedWatch;
  informer: Informer<V1ConfigMap>;
  events: string[];
  /** What the next list returns (or throws), and how many lists there were. */
  server: { items: V1ConfigMap[]; resourceVersion: string; failure?: Error; lists: number };
}

const informers: Informer<V1ConfigMap>[] = [];

function startInformer(
  options: { items?: V1ConfigMap[]; resourceVersion?: string; resyncPeriodMs?: number } = {},
): Fixture {
  const clock = new FakeClock();
  const watch = new ScriptedWatch();
  const server: Fixture["server"] = {
    items: options.items ?? [],
    resourceVersion: options.resourceVersion ?? "1",
    lists: 0,
  };
  const list = (): Promise<KubernetesListObject<V1ConfigMap>> => {
    server.lists++;
    if (server.failure !== undefined) return Promise.reject(server.failure);
    return Promise.resolve({
      apiVersion: "v1",
      kind: "ConfigMapList",
      metadata: { resourceVersion: server.resourceVersion },
      items: server.items.map(({ metadata }) => ({ metadata })),
    });
  };
  const informer = new Informer<V1ConfigMap>({
    watch,
    path: "/api/v1/namespaces/ns/configmaps",
    list,
    resyncPeriodMs: options.resyncPeriodMs ?? 0,
    logger: silentLogger,
    clock,
    random: () => 0,
  });
  const events: string[] = [];
  const rv = (object: V1ConfigMap): string => object.metadata?.resourceVersion ?? "";
  informer.addEventHandler({
    add: (o) => events.push(`add ${o.metadata?.name}@${rv(o)}`),
    update: (p, o) => events.push(`update ${o.metadata?.name}@${rv(p)}->${rv(o)}`),
    delete: (o) => events.push(`delete ${o.metadata?.name}`),
  });
  informers.push(informer);
  informer.start();
  return { clock, watch, informer, events, server };
}

afterEach(async () => {
  await Promise.all(informers.splice(0).map((informer) => informer.stop()));
});

describe("Informer", () => {
  it("lists, then applies watch events from the list's resourceVersion to its cache and handlers", async () => {
    const { watch, informer, events } = startInformer({ items: [configMap("a", "5")], resourceVersion: "7" });
    expect(informer.hasSynced()).toBe(false);
    await settle();
    expect(informer.hasSynced()).toBe(true);
    expect(watch.last().query).toMatchObject({ resourceVersion: "7", allowWatchBookmarks: true });

    watch.last().send("ADDED", configMap("b", "8"));
    watch.last().send("MODIFIED", configMap("a", "9"));
    watch.last().send("DELETED", configMap("b", "10"));
    expect(events).toEqual(["add a@5", "add b@8", "update a@5->9", "delete b"]);
    expect(informer.list().map((o) => o.metadata?.resourceVersion)).toEqual(["9"]);
    // Listed items get back the apiVersion and kind that typed lists leave off.
    expect(informer.get("ns/a")).toMatchObject({ apiVersion: "v1", kind: "ConfigMap" });
  });

  it("re-watches from the last resourceVersion (a bookmark's too) when a watch ends, without relisting", async () => {
    const { clock, watch, server } = startInformer();
    await settle();
    watch.last().send("BOOKMARK", { metadata: { resourceVersion: "42" } });
    await clock.advance(60_000);
    watch.last().end(null);
    await settle();
    expect(server.lists).toBe(1);
    expect(watch.calls).toHaveLength(2);
    expect(watch.last().query.resourceVersion).toBe("42");
  });

  it("relists at once when the watch's resourceVersion has expired (410), delivering what changed meanwhile", async () => {
    const { watch, events, server } = startInformer({ items: [configMap("a", "5"), configMap("b", "5")] });
    await settle();
    server.items = [configMap("a", "6"), configMap("c", "6")];
    server.resourceVersion = "6";
    watch.last().send("ERROR", { kind: "Status", code: 410, reason: "Expired" });
    watch.last().end(null);
    await settle();
    expect(server.lists).toBe(2);
    expect(events).toEqual(["add a@5", "add b@5", "delete b", "update a@5->6", "add c@6"]);
    expect(watch.last().query.resourceVersion).toBe("6");
  });

  it("after a failed watch or list, backs off, then relists and keeps going", async () => {
    const { clock, watch, informer, server } = startInformer();
    await settle();
    server.failure = new Error("connection refused");
    watch.last().end(Object.assign(new Error("Service Unavailable"), { statusCode: 503 }));
    await settle();
    expect(server.lists).toBe(1);
    await clock.advance(800);
    expect(server.lists).toBe(2);
    await clock.advance(1_599);
    expect(server.lists).toBe(2);
    server.failure = undefined;
    server.items = [configMap("a", "9")];
    await clock.advance(1);
    expect(server.lists).toBe(3);
    expect(informer.get("ns/a")?.metadata?.resourceVersion).toBe("9");
    expect(watch.calls).toHaveLength(2);
  });

  it("treats a watch that ends at once without events as failed, so it does not spin", async () => {
    const { clock, watch, server } = startInformer();
    await settle();
    watch.last().end(null);
    await settle();
    expect(watch.calls).toHaveLength(1);
    await clock.advance(800);
    expect(server.lists).toBe(2);
    expect(watch.calls).toHaveLength(2);
  });

  it("relists every resync period and re-delivers each unchanged object as an update", async () => {
    const { clock, watch, events, server } = startInformer({
      items: [configMap("a", "5")],
      resyncPeriodMs: 60_000,
    });
    await settle();
    await clock.advance(60_000);
    expect(server.lists).toBe(2);
    expect(events).toEqual(["add a@5", "update a@5->5"]);
    expect(watch.calls).toHaveLength(2);
  });

  it("keeps delivering to other handlers when one throws", async () => {
    const { watch, informer, events } = startInformer();
    informer.addEventHandler({
      add: () => {
        throw new Error("handler bug");
      },
    });
    await settle();
    watch.last().send("ADDED", configMap("a", "2"));
    watch.last().send("ADDED", configMap("b", "3"));
    expect(events).toEqual(["add a@2", "add b@3"]);
  });
});
