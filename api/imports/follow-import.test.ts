import { describe, expect, it } from "vitest";
import type { StoredImageImport } from "../../lib/imageimport/index.ts";
import { ApiErrors } from "../errors.ts";
import type { ImageImportClient, ImageImportWatchEvent } from "../kubernetes/image-imports.ts";
import { followImport, type ImportEvent } from "./follow-import.ts";

function resource(
  resourceVersion: string,
  phase?: "Running" | "Succeeded",
  succeeded = 0,
): StoredImageImport {
  return {
    metadata: { name: "one", namespace: "ns", uid: "u1", resourceVersion },
    spec: { source: { googleDrive: { folderUrl: "abcdefghij12" } } },
    ...(phase === undefined ? {} : { status: { phase, progress: { succeeded } } }),
  };
}

type WatchScript = (emit: (event: ImageImportWatchEvent) => void, end: (error: unknown) => void) => void;

/** A client whose watches and reads play a script: each watch() call takes the next step. */
function scriptedClient(watches: WatchScript[], reads: (() => StoredImageImport)[]) {
  const watchedFrom: string[] = [];
  const client: Pick<ImageImportClient, "get" | "watch"> = {
    get: () => {
      const read = reads.shift();
      return read === undefined
        ? Promise.reject(ApiErrors.importNotFound("ns", "one"))
        : Promise.resolve(read());
    },
    watch: (_namespace, _name, resourceVersion, onEvent, onDone) => {
      watchedFrom.push(resourceVersion);
      const step = watches.shift();
      const controller = new AbortController();
      queueMicrotask(() => step?.(onEvent, onDone));
      return Promise.resolve(controller);
    },
  };
  return { client, watchedFrom };
}

async function follow(client: Pick<ImageImportClient, "get" | "watch">, initial: StoredImageImport) {
  const events: ImportEvent[] = [];
  const errors: unknown[] = [];
  await followImport({
    client,
    initial,
    send: (event) => events.push(event),
    signal: new AbortController().signal,
    rewatchDelayMs: 1,
    onWatchError: (error) => errors.push(error),
  });
  return { events, errors };
}

const summary = (events: ImportEvent[]) =>
  events.map((e) =>
    e.event === "deleted" ? "deleted" : `${e.event}:${e.data.state}:${e.data.progress.succeeded}@${e.id}`,
  );

describe("followImport", () => {
  it("sends changes only, and ends with the finished state", async () => {
    const { client } = scriptedClient(
      [
        (emit) => {
          emit({ type: "MODIFIED", object: resource("2", "Running", 1) });
          emit({ type: "MODIFIED", object: resource("3", "Running", 1) }); // nothing visible changed
          emit({ type: "MODIFIED", object: resource("4", "Succeeded", 2) });
        },
      ],
      [],
    );
    const { events } = await follow(client, resource("1"));
    expect(summary(events)).toEqual([
      "status:pending:0@1",
      "status:running:1@2",
      "status:succeeded:2@4",
      "end:succeeded:2@4",
    ]);
  });

  it("catches up by reading and watches again from where it was when a watch ends", async () => {
    const { client, watchedFrom } = scriptedClient(
      [
        (emit, end) => {
          emit({ type: "BOOKMARK", object: resource("5") });
          end(new Error("inactivity timeout"));
        },
        (emit) => emit({ type: "ERROR", object: resource("0") }), // 410 Gone: resourceVersion expired
        (emit) => emit({ type: "MODIFIED", object: resource("9", "Succeeded", 3) }),
      ],
      [() => resource("6", "Running", 1), () => resource("8", "Running", 2)],
    );
    const { events, errors } = await follow(client, resource("1"));
    expect(watchedFrom).toEqual(["1", "6", "8"]);
    expect(summary(events)).toEqual([
      "status:pending:0@1",
      "status:running:1@6",
      "status:running:2@8",
      "status:succeeded:3@9",
      "end:succeeded:3@9",
    ]);
    expect(errors).toEqual([new Error("inactivity timeout")]);
  });

  it("reports a deletion seen by the watch or found when catching up", async () => {
    const watched = scriptedClient([(emit) => emit({ type: "DELETED", object: resource("2") })], []);
    expect(summary((await follow(watched.client, resource("1"))).events)).toEqual([
      "status:pending:0@1",
      "deleted",
    ]);

    const caughtUp = scriptedClient([(_emit, end) => end(null)], []);
    expect(summary((await follow(caughtUp.client, resource("1"))).events)).toEqual([
      "status:pending:0@1",
      "deleted",
    ]);
  });

  it("stops when the client goes away", async () => {
    const abort = new AbortController();
    const { client } = scriptedClient([() => abort.abort()], []);
    const events: ImportEvent[] = [];
    await followImport({
      client,
      initial: resource("1"),
      send: (event) => events.push(event),
      signal: abort.signal,
      rewatchDelayMs: 1,
      onWatchError: () => undefined,
    });
    expect(events).toHaveLength(1);
  });
});
