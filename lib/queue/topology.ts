/**
 * The JetStream names one installation uses, derived from one prefix so that tests (and two
 * installations sharing a NATS) never see each other's tasks.
 */
export interface QueueTopology {
  /** WorkQueue stream holding one task per file to import. */
  stream: string;
  /** `<root>.<import uid>`: one subject per import, so an import's tasks can be purged alone. */
  subjectRoot: string;
  /** The durable pull consumer every worker shares. */
  consumer: string;
  /** KV bucket with each running import's Drive credentials, readable by workers (who have no Kubernetes token). */
  credentialsBucket: string;
}

export function queueTopology(prefix = "imagesync"): QueueTopology {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(prefix)) {
    throw new Error(
      `queue prefix "${prefix}" must be lowercase letters, digits and '-', starting with a letter`,
    );
  }
  const upper = prefix.toUpperCase().replaceAll("-", "_");
  return {
    stream: `${upper}_TASKS`,
    subjectRoot: `${prefix}.tasks`,
    consumer: `${prefix}-workers`,
    credentialsBucket: `${prefix}-credentials`,
  };
}

export function importSubject(topology: QueueTopology, importUid: string): string {
  return `${topology.subjectRoot}.${importUid}`;
}
