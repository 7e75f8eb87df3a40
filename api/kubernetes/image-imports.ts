import {
  customResourcePath,
  customResourcesPath,
  type KubeClient,
} from "../../lib/controller-runtime/index.ts";
import { imageImportApi, type ImageImport, type StoredImageImport } from "../../lib/imageimport/index.ts";
import { ApiErrors } from "../errors.ts";
import { callKubernetes } from "./calls.ts";

const { group, version, plural } = imageImportApi;

// Routes validate namespaces and names as DNS labels and subdomains before they reach a path.
const collectionPath = (namespace: string | undefined): string =>
  customResourcesPath({ group, version, plural, namespace });
const objectPath = (namespace: string, name: string): string =>
  customResourcePath({ group, version, plural, namespace, name });

/** A merge patch the API applies to an ImageImport: spec fields, optionally guarded by a resourceVersion. */
export interface ImageImportPatch {
  metadata?: { resourceVersion: string };
  spec: Partial<Pick<ImageImport["spec"], "cancel" | "suspend" | "retryGeneration">>;
}

export interface ImageImportPage {
  items: StoredImageImport[];
  /** Kubernetes' continue token for the next page; undefined on the last page. */
  continueToken: string | undefined;
}

/** One watch event for a single ImageImport (ADDED, MODIFIED, DELETED, BOOKMARK or ERROR). */
export type ImageImportWatchEvent = { type: string; object: StoredImageImport };

/**
 * ImageImport resources, read and written with the API's own ServiceAccount (callers are authorised
 * before any call here). Each call has a deadline; answers a route anticipates become coded errors.
 */
export class ImageImportClient {
  readonly #kube: KubeClient;
  readonly #timeoutMs: number;

  constructor(kube: KubeClient, timeoutMs: number) {
    this.#kube = kube;
    this.#timeoutMs = timeoutMs;
  }

  async create(namespace: string, body: ImageImport): Promise<StoredImageImport> {
    const name = body.metadata?.name ?? body.metadata?.generateName ?? "";
    return callKubernetes(
      "create imageimports",
      this.#timeoutMs,
      () => this.#kube.create<StoredImageImport>(collectionPath(namespace), body),
      ({ status, message }) => {
        if (status === 409) return ApiErrors.importExists(namespace, name);
        if (status === 422 || status === 400)
          return ApiErrors.importRejected(message ?? "the object is invalid");
        if (status === 404) return ApiErrors.namespaceNotFound(namespace);
        return undefined;
      },
    );
  }

  async get(namespace: string, name: string): Promise<StoredImageImport> {
    return callKubernetes(
      "get imageimports",
      this.#timeoutMs,
      () => this.#kube.get<StoredImageImport>(objectPath(namespace, name)),
      ({ status }) => (status === 404 ? ApiErrors.importNotFound(namespace, name) : undefined),
    );
  }

  /** One page of ImageImports, in one namespace or (namespace undefined) in all. */
  async list(
    namespace: string | undefined,
    limit: number,
    continueToken: string | undefined,
  ): Promise<ImageImportPage> {
    const list = await callKubernetes(
      "list imageimports",
      this.#timeoutMs,
      () =>
        this.#kube.get<{ items: StoredImageImport[]; metadata?: { continue?: string } }>(
          collectionPath(namespace),
          { limit, continue: continueToken },
        ),
      ({ status }) => {
        if (status === 400 || status === 410) return ApiErrors.invalidContinueToken();
        // Installed for a set of namespaces, the API's identity has no cluster-wide list.
        if (status === 403 && namespace === undefined) return ApiErrors.namespaceRequired();
        return undefined;
      },
    );
    const next = list.metadata?.continue;
    return { items: list.items, continueToken: next === undefined || next === "" ? undefined : next };
  }

  /** A JSON merge patch. */
  async patch(namespace: string, name: string, body: ImageImportPatch): Promise<StoredImageImport> {
    return callKubernetes(
      "patch imageimports",
      this.#timeoutMs,
      () => this.#kube.mergePatch<StoredImageImport>(objectPath(namespace, name), body),
      ({ status, message }) => {
        if (status === 404) return ApiErrors.importNotFound(namespace, name);
        if (status === 409) return ApiErrors.importChanged(namespace, name);
        if (status === 422) return ApiErrors.importRejected(message ?? "the change is invalid");
        return undefined;
      },
    );
  }

  /** Deletes the resource; the operator's finalizer purges its queued tasks, stored images stay. */
  async delete(namespace: string, name: string): Promise<void> {
    await callKubernetes(
      "delete imageimports",
      this.#timeoutMs,
      () => this.#kube.delete(objectPath(namespace, name), { propagationPolicy: "Background" }),
      ({ status }) => (status === 404 ? ApiErrors.importNotFound(namespace, name) : undefined),
    );
  }

  /**
   * Watches one ImageImport from `resourceVersion`. `onDone` runs once when the watch ends for any
   * reason (server timeout, network, abort); the caller decides whether to watch again.
   */
  async watch(
    namespace: string,
    name: string,
    resourceVersion: string,
    onEvent: (event: ImageImportWatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<AbortController> {
    return this.#kube.watch(
      collectionPath(namespace),
      { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true },
      (type, object) => onEvent({ type, object: object as StoredImageImport }),
      onDone,
    );
  }

  /** Readiness: the Kubernetes API answers (GET /version, which every identity may read). */
  async ping(): Promise<void> {
    await callKubernetes("get /version", this.#timeoutMs, () => this.#kube.get("/version"));
  }
}
