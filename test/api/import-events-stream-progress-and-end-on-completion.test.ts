/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON: the assertions are what check their shape. */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageImportApi } from "../../lib/imageimport/index.ts";
import {
  call,
  callerWith,
  createImport,
  createNamespace,
  startApi,
  writeStatus,
  type RunningApi,
} from "./harness.ts";

interface ServerEvent {
  event: string;
  id: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** Reads a text/event-stream frame by frame, as an EventSource would; undefined once it has closed. */
async function openEvents(api: RunningApi, path: string, token: string) {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = response.body;
  if (body === null) throw new Error("no body");
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  async function next(): Promise<ServerEvent | undefined> {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map(
          frame
            .split("\n")
            .filter((line) => !line.startsWith(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
        );
        if (!fields.has("event")) continue; // a keep-alive comment
        return {
          event: fields.get("event") ?? "",
          id: fields.get("id"),
          data: JSON.parse(fields.get("data") ?? "null"),
        };
      }
      const chunk = await reader.read();
      if (chunk.done) return undefined;
      buffer += chunk.value;
    }
  }
  return { response, next, close: () => reader.cancel() };
}

describe("GET /api/imports/{namespace}/{name}/events", () => {
  let api: RunningApi;
  let namespace: string;
  let watcher: string;
  let reader: string;

  beforeAll(async () => {
    api = await startApi({ eventStreamKeepAliveMs: 200 });
    namespace = await createNamespace(api.admin, "events");
    [watcher, reader] = await Promise.all([
      callerWith(api.admin, namespace, "watcher", ["watch"]),
      callerWith(api.admin, namespace, "reader", ["get", "list"]),
    ]);
  });

  afterAll(async () => {
    await api.close();
  });

  it("pushes each status change as it happens and ends when the import finishes", async () => {
    await createImport(api.admin, namespace, "progressing");
    const stream = await openEvents(api, `/api/imports/${namespace}/progressing/events`, watcher);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");

    const first = await stream.next();
    expect(first).toMatchObject({
      event: "status",
      data: { name: "progressing", state: "pending", finished: false },
    });
    expect(first?.id).toMatch(/^\d+$/);

    await writeStatus(api.admin, namespace, "progressing", {
      phase: "Running",
      progress: { total: 3, succeeded: 1 },
    });
    expect(await stream.next()).toMatchObject({
      event: "status",
      data: { state: "running", progress: { total: 3, succeeded: 1 } },
    });

    await writeStatus(api.admin, namespace, "progressing", {
      phase: "Running",
      progress: { total: 3, succeeded: 2 },
    });
    expect(await stream.next()).toMatchObject({ event: "status", data: { progress: { succeeded: 2 } } });

    await writeStatus(api.admin, namespace, "progressing", {
      phase: "Succeeded",
      progress: { total: 3, succeeded: 3 },
      completionTime: "2025-01-01T00:10:00Z",
    });
    const done = await stream.next();
    expect(done).toMatchObject({
      event: "status",
      data: { state: "succeeded", finished: true, progress: { succeeded: 3 } },
    });
    expect(await stream.next()).toMatchObject({
      event: "end",
      data: { state: "succeeded", completionTime: "2025-01-01T00:10:00Z" },
    });
    expect(await stream.next()).toBeUndefined();
  });

  it("sends a finished import's state and ends at once", async () => {
    await createImport(api.admin, namespace, "already-done");
    await writeStatus(api.admin, namespace, "already-done", {
      phase: "Failed",
      progress: { total: 1, failed: 1 },
    });
    const stream = await openEvents(api, `/api/imports/${namespace}/already-done/events`, watcher);
    expect(await stream.next()).toMatchObject({ event: "status", data: { state: "failed" } });
    expect(await stream.next()).toMatchObject({ event: "end", data: { state: "failed" } });
    expect(await stream.next()).toBeUndefined();
  });

  it("says so and ends when the import is deleted while followed", async () => {
    await createImport(api.admin, namespace, "vanishing");
    const stream = await openEvents(api, `/api/imports/${namespace}/vanishing/events`, watcher);
    expect(await stream.next()).toMatchObject({ event: "status" });
    const { group, version, plural } = imageImportApi;
    await api.admin
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ group, version, namespace, plural, name: "vanishing" });
    expect(await stream.next()).toEqual({
      event: "deleted",
      id: undefined,
      data: { namespace, name: "vanishing" },
    });
    expect(await stream.next()).toBeUndefined();
  });

  it("keeps an idle stream open with comments and stops watching when the client leaves", async () => {
    await createImport(api.admin, namespace, "idle");
    const response = await fetch(`${api.url}/api/imports/${namespace}/idle/events`, {
      headers: { authorization: `Bearer ${watcher}` },
    });
    const textReader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keep-alive")) {
      const chunk = await textReader?.read();
      if (chunk === undefined || chunk.done) break;
      text += chunk.value;
    }
    expect(text).toContain(": keep-alive\n\n");
    await textReader?.cancel();
    const streamsOpen = async () => {
      const metrics = await call(api, "GET", "/metrics");
      return Number(/^imagesync_api_event_streams (\d+)$/m.exec(metrics.body as string)?.[1]);
    };
    for (let attempt = 0; attempt < 50 && (await streamsOpen()) !== 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await streamsOpen()).toBe(0);
  });

  it("answers 401, 403 and 404 as JSON before any stream starts", async () => {
    await createImport(api.admin, namespace, "guarded");
    const anonymous = await call(api, "GET", `/api/imports/${namespace}/guarded/events`);
    expect(anonymous.status).toBe(401);
    const forbidden = await call(api, "GET", `/api/imports/${namespace}/guarded/events`, { token: reader });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain("may not watch");
    const missing = await call(api, "GET", `/api/imports/${namespace}/nothing/events`, { token: watcher });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("IMPORT_NOT_FOUND");
  });
});
