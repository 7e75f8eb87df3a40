import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { QueueTopology } from "./topology.ts";

/** What a worker needs to read one import's files. Lives only while the import runs. */
export interface ImportCredentials {
  driveApiKey: string;
}

/**
 * Hands each running import's Drive credentials from the operator (which may read Secrets) to the
 * workers (which have no Kubernetes token), keyed by import uid. Never logged, deleted when the import ends.
 */
export class CredentialsStore {
  readonly #kv: KV;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(nc: NatsConnection, topology: QueueTopology): Promise<CredentialsStore> {
    const kv = await new Kvm(nc).create(topology.credentialsBucket, { history: 1 });
    return new CredentialsStore(kv);
  }

  async put(importUid: string, credentials: ImportCredentials): Promise<void> {
    await this.#kv.put(importUid, JSON.stringify(credentials));
  }

  async get(importUid: string): Promise<ImportCredentials | undefined> {
    const entry = await this.#kv.get(importUid);
    if (entry === null || entry.operation !== "PUT") return undefined;
    return entry.json<ImportCredentials>();
  }

  async delete(importUid: string): Promise<void> {
    await this.#kv.purge(importUid);
  }
}
