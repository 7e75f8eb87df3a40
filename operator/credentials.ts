import type { V1Secret } from "@kubernetes/client-node";
import { statusCodeOf, type Clock, type KubeClient } from "../lib/controller-runtime/index.ts";
import { Reason, type StoredImageImport } from "../lib/imageimport/index.ts";
import type { CredentialsStore } from "../lib/queue/index.ts";

/**
 * The Drive API key of each import: read from the import's Secret (or the operator's default key), handed to
 * the workers through the credentials store while the import runs, removed when it ends. The key is never
 * logged nor put in a message.
 */

export type ApiKeyResolution =
  | { ok: true; apiKey: string }
  | {
      ok: false;
      reason: typeof Reason.SecretNotFound | typeof Reason.SecretKeyMissing | typeof Reason.ApiKeyMissing;
      message: string;
    };

const defaultSecretKey = "apiKey";

/** Reads the import's Drive API key: its Secret's entry, or the operator-wide default when it names none. */
export async function resolveDriveApiKey(
  kube: KubeClient,
  object: StoredImageImport,
  defaultApiKey: string | undefined,
): Promise<ApiKeyResolution> {
  const ref = object.spec.source.googleDrive.apiKeySecretRef;
  const namespace = object.metadata.namespace;
  if (ref === undefined) {
    if (defaultApiKey !== undefined && defaultApiKey !== "") return { ok: true, apiKey: defaultApiKey };
    return {
      ok: false,
      reason: Reason.ApiKeyMissing,
      message:
        "no Drive API key: set spec.source.googleDrive.apiKeySecretRef to a Secret holding one, or give the operator a default key (DRIVE_API_KEY)",
    };
  }
  const entry = ref.key ?? defaultSecretKey;
  let data: Record<string, string> | undefined;
  try {
    data = (await kube.get<V1Secret>(`/api/v1/namespaces/${namespace}/secrets/${ref.name}`)).data;
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
    return {
      ok: false,
      reason: Reason.SecretNotFound,
      message: `Secret ${namespace}/${ref.name} (spec.source.googleDrive.apiKeySecretRef) does not exist: create it with the API key under "${entry}"`,
    };
  }
  const encoded = data?.[entry];
  const apiKey = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8").trim();
  if (apiKey === "") {
    return {
      ok: false,
      reason: Reason.SecretKeyMissing,
      message: `Secret ${namespace}/${ref.name} has no non-empty "${entry}" entry: put the Drive API key there or set apiKeySecretRef.key to the entry that holds it`,
    };
  }
  return { ok: true, apiKey };
}

export interface ImportCredentialsOptions {
  kube: KubeClient;
  store: CredentialsStore;
  defaultApiKey: string | undefined;
  clock: Clock;
  /** How long a key read from a Secret is trusted before it is read again (Secrets can change). */
  refreshMs: number;
}

/** Resolves keys (cached for `refreshMs`) and keeps the credentials store in step with the running imports. */
export class ImportCredentials {
  readonly #options: ImportCredentialsOptions;
  readonly #cache = new Map<string, { resolution: ApiKeyResolution; at: number; stored: boolean }>();

  constructor(options: ImportCredentialsOptions) {
    this.#options = options;
  }

  /** The import's key, written to the credentials store for the workers whenever it is new or changed. */
  async ensure(object: StoredImageImport): Promise<ApiKeyResolution> {
    const uid = object.metadata.uid;
    const now = this.#options.clock.now();
    const cached = this.#cache.get(uid);
    if (cached !== undefined && cached.stored && now - cached.at < this.#options.refreshMs)
      return cached.resolution;
    const resolution = await resolveDriveApiKey(this.#options.kube, object, this.#options.defaultApiKey);
    const unchanged =
      cached?.stored === true &&
      cached.resolution.ok &&
      resolution.ok &&
      cached.resolution.apiKey === resolution.apiKey;
    if (resolution.ok && !unchanged) await this.#options.store.put(uid, { driveApiKey: resolution.apiKey });
    this.#cache.set(uid, { resolution, at: now, stored: resolution.ok });
    return resolution;
  }

  /** Removes the import's key from the credentials store (the import ended or is gone). */
  async release(uid: string): Promise<void> {
    this.#cache.delete(uid);
    await this.#options.store.delete(uid);
  }
}
