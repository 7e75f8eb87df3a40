import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { statusCodeOf } from "./api-errors.ts";
import { KubeClient } from "./kube-client.ts";

let server: Server | undefined;
let client: KubeClient | undefined;

/** A stand-in API server answering each request with `handle`; returns a client of it. */
async function serve(
  handle: (request: IncomingMessage, body: string, response: ServerResponse) => void,
  credentials: { token: string } | { tokenFile: string } = { token: "t0k" },
) {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => handle(request, body, response));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  client = new KubeClient({ server: `http://127.0.0.1:${port}`, ...credentials });
  return client;
}

afterEach(async () => {
  vi.useRealTimers();
  client?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe("KubeClient", () => {
  it("sends JSON merge patches with the bearer token and returns the server's object", async () => {
    const seen: unknown[] = [];
    const kube = await serve((request, body, response) => {
      seen.push([
        request.method,
        request.url,
        request.headers["content-type"],
        request.headers.authorization,
        body,
      ]);
      response.setHeader("content-type", "application/json").end(JSON.stringify({ kind: "Thing" }));
    });
    await expect(
      kube.mergePatch("/apis/g/v1/namespaces/ns/things/a/status", { status: { n: 1 } }),
    ).resolves.toEqual({
      kind: "Thing",
    });
    expect(seen).toEqual([
      [
        "PATCH",
        "/apis/g/v1/namespaces/ns/things/a/status",
        "application/merge-patch+json",
        "Bearer t0k",
        '{"status":{"n":1}}',
      ],
    ]);
  });

  it("frames a DELETE's options with a Content-Length, so the next call on the connection is understood", async () => {
    const seen: unknown[] = [];
    const kube = await serve((request, body, response) => {
      seen.push([request.method, request.headers["content-length"], body]);
      response.setHeader("content-type", "application/json").end("{}");
    });
    // Node frames a DELETE body neither by length nor by chunks unless told its length.
    await kube.delete("/apis/g/v1/namespaces/ns/things/a", { propagationPolicy: "Background" });
    await kube.get("/apis/g/v1/namespaces/ns/things/b");
    expect(seen).toEqual([
      ["DELETE", "34", '{"propagationPolicy":"Background"}'],
      ["GET", undefined, ""],
    ]);
  });

  it("sends a rotated service-account token once the token file is read again, within a minute", async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), "token-")), "token");
    writeFileSync(tokenFile, "first\n");
    const seen: (string | undefined)[] = [];
    const kube = await serve(
      (request, _body, response) => {
        seen.push(request.headers.authorization);
        response.end("{}");
      },
      { tokenFile },
    );
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });

    await kube.get("/api/v1/namespaces/a");
    writeFileSync(tokenFile, "rotated\n");
    await kube.get("/api/v1/namespaces/a");
    vi.setSystemTime(new Date("2026-01-01T00:01:01Z"));
    await kube.get("/api/v1/namespaces/a");

    expect(seen).toEqual(["Bearer first", "Bearer first", "Bearer rotated"]);
  });

  it("fails with the HTTP status and the server's Status", async () => {
    const kube = await serve((_request, _body, response) => {
      response.statusCode = 404;
      response.end(JSON.stringify({ kind: "Status", code: 404, message: 'secrets "x" not found' }));
    });
    const error: unknown = await kube
      .get("/api/v1/namespaces/ns/secrets/x")
      .catch((caught: unknown) => caught);
    expect(statusCodeOf(error)).toBe(404);
    expect((error as Error).message).toContain('secrets "x" not found');
  });

  it("watches line by line and reports the end of the stream once", async () => {
    const kube = await serve((request, _body, response) => {
      expect(request.url).toBe("/api/v1/configmaps?resourceVersion=7&watch=true");
      response.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"DEL');
      response.end('ETED","object":{"metadata":{"name":"a"}}}\n');
    });
    const events: unknown[] = [];
    const done = Promise.withResolvers<unknown>();
    await kube.watch(
      "/api/v1/configmaps",
      { resourceVersion: "7" },
      (type, object) => events.push([type, object]),
      done.resolve,
    );
    expect(await done.promise).toBeNull();
    expect(events).toEqual([
      ["ADDED", { metadata: { name: "a" } }],
      ["DELETED", { metadata: { name: "a" } }],
    ]);
  });

  it("ends a refused watch with the status code", async () => {
    const kube = await serve((_request, _body, response) => {
      response.statusCode = 403;
      response.end("{}");
    });
    const done = Promise.withResolvers<unknown>();
    await kube.watch("/api/v1/secrets", {}, () => undefined, done.resolve);
    expect(statusCodeOf(await done.promise)).toBe(403);
  });
});
