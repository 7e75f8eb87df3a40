import { setTimeout as sleep } from "node:timers/promises";
import type { StoredImageImport } from "../../lib/imageimport/index.ts";
import { ApiError } from "../errors.ts";
import type { ImageImportClient } from "../kubernetes/image-imports.ts";
import type { ImportView } from "../schemas/imports.ts";
import { importView } from "./import-view.ts";

/** The events of an import's stream: a status whenever it changes, then end (finished) or deleted. */
export type ImportEvent =
  | { event: "status"; data: ImportView; id: string }
  | { event: "end"; data: ImportView; id: string }
  | { event: "deleted"; data: { namespace: string; name: string } };

export interface FollowImportOptions {
  client: Pick<ImageImportClient, "get" | "watch">;
  /** The resource as just read; its state is the stream's first event. */
  initial: StoredImageImport;
  send: (event: ImportEvent) => void;
  /** Aborted when the client goes away or the API shuts down. */
  signal: AbortSignal;
  /** Pause before catching up after a watch ended. */
  rewatchDelayMs: number;
  onWatchError: (error: unknown) => void;
}

/**
 * Follows one ImageImport with a Kubernetes watch and sends its view each time it changes, until it
 * finishes, is deleted or the signal aborts. Watches end routinely (server timeouts, an expired
 * resourceVersion, a network blip): each time, it re-reads the resource to catch up and watches again.
 */
export async function followImport(options: FollowImportOptions): Promise<void> {
  const { client, initial, send, signal } = options;
  const { namespace, name } = initial.metadata;
  let resourceVersion = initial.metadata.resourceVersion ?? "0";
  let lastSent = "";

  /** Sends the resource's view if it changed; true once the import has finished. */
  function observe(resource: StoredImageImport): boolean {
    resourceVersion = resource.metadata.resourceVersion ?? resourceVersion;
    const view = importView(resource);
    const serialised = JSON.stringify(view);
    if (serialised !== lastSent) {
      lastSent = serialised;
      send({ event: "status", data: view, id: resourceVersion });
    }
    if (!view.finished) return false;
    send({ event: "end", data: view, id: resourceVersion });
    return true;
  }

  /** One watch; resolves true when the stream is over, false when the watch ended and should restart. */
  function watchOnce(): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      const settle = (over: boolean) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        controller?.abort();
        resolve(over);
      };
      const onAbort = () => settle(true);
      signal.addEventListener("abort", onAbort, { once: true });
      client
        .watch(
          namespace,
          name,
          resourceVersion,
          ({ type, object }) => {
            if (settled) return;
            if (type === "ADDED" || type === "MODIFIED") {
              if (observe(object)) settle(true);
            } else if (type === "DELETED") {
              send({ event: "deleted", data: { namespace, name } });
              settle(true);
            } else if (type === "BOOKMARK") {
              resourceVersion = object.metadata.resourceVersion ?? resourceVersion;
            } else {
              settle(false); // ERROR, e.g. 410 Gone: the resourceVersion expired; catch up by reading.
            }
          },
          (error: unknown) => {
            if (!settled && error !== null && error !== undefined) options.onWatchError(error);
            settle(false);
          },
        )
        .then(
          (started) => {
            controller = started;
            if (settled) started.abort();
          },
          (error: unknown) => {
            options.onWatchError(error);
            settle(false);
          },
        );
    });
  }

  if (observe(initial)) return;
  while (!signal.aborted) {
    if (await watchOnce()) return;
    try {
      await sleep(options.rewatchDelayMs, undefined, { signal });
      if (observe(await client.get(namespace, name))) return;
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.code === "IMPORT_NOT_FOUND") {
        send({ event: "deleted", data: { namespace, name } });
        return;
      }
      options.onWatchError(error);
    }
  }
}
