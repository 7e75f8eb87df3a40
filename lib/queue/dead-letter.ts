import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { QueueTopology } from "./topology.ts";

/**
 * Where tasks JetStream gave up on are kept. When a task reaches the worker consumer's MaxDeliver (workers
 * kept dying on it), the server publishes a max-deliveries advisory naming the task's stream sequence; this
 * stream captures those advisories so a worker can mark the file failed and nothing stays non-terminal.
 */
export interface DeadLetterTopology {
  stream: string;
  /** The server's advisory subject for the worker consumer. */
  advisorySubject: string;
  /** The durable consumer workers record dead letters through. */
  consumer: string;
}

export function deadLetterTopology(topology: QueueTopology): DeadLetterTopology {
  return {
    stream: `${topology.stream}_DEAD_LETTERS`,
    advisorySubject: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${topology.stream}.${topology.consumer}`,
    consumer: `${topology.consumer}-dead-letters`,
  };
}

/** Advisories are kept this long after they were recorded, for whoever investigates. */
const deadLetterMaxAgeMs = 14 * 24 * 60 * 60_000;

const nanos = (ms: number): number => ms * 1_000_000;

/** Creates or updates the dead-letter stream and the durable consumer workers read it with. */
export async function ensureDeadLetterStream(
  jsm: JetStreamManager,
  topology: QueueTopology,
  replicas = 1,
): Promise<void> {
  const names = deadLetterTopology(topology);
  const stream = {
    name: names.stream,
    subjects: [names.advisorySubject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    max_age: nanos(deadLetterMaxAgeMs),
  };
  await createOrUpdate(
    () => jsm.streams.info(names.stream),
    () => jsm.streams.update(names.stream, stream),
    () => jsm.streams.add(stream),
  );
  const consumer = {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(60_000),
  };
  await createOrUpdate(
    () => jsm.consumers.info(names.stream, names.consumer),
    () => jsm.consumers.update(names.stream, names.consumer, consumer),
    () => jsm.consumers.add(names.stream, consumer),
  );
}

async function createOrUpdate(
  info: () => Promise<unknown>,
  update: () => Promise<unknown>,
  add: () => Promise<unknown>,
): Promise<void> {
  try {
    await info();
  } catch (error) {
    if (!/not found/i.test(error instanceof Error ? error.message : String(error))) throw error;
    await add();
    return;
  }
  await update();
}

/** What a max-deliveries advisory says: which task, and how often it was delivered. */
export interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  streamSequence: number;
  deliveries: number;
}

/** Parses a max-deliveries advisory (`io.nats.jetstream.advisory.v1.max_deliver`). */
export function decodeMaxDeliveriesAdvisory(data: string): MaxDeliveriesAdvisory {
  const value = JSON.parse(data) as Record<string, unknown>;
  const { stream, consumer, stream_seq: streamSequence, deliveries } = value;
  if (typeof stream !== "string" || typeof consumer !== "string" || typeof streamSequence !== "number") {
    throw new Error("not a max-deliveries advisory: it names no stream, consumer and stream_seq");
  }
  return { stream, consumer, streamSequence, deliveries: typeof deliveries === "number" ? deliveries : 0 };
}
