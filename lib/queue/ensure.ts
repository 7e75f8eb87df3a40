import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { QueueTopology } from "./topology.ts";

const nanos = (ms: number): number => ms * 1_000_000;

/** The dedup window: a task republished within it with the same Nats-Msg-Id is dropped by the server. */
export const duplicateWindowMs = 10 * 60_000;

/**
 * Creates or updates the task stream. WorkQueue retention deletes a task once a worker acks it, so the
 * stream holds exactly the work not yet done.
 */
export async function ensureTaskStream(
  jsm: JetStreamManager,
  topology: QueueTopology,
  replicas = 1,
): Promise<void> {
  const config = {
    name: topology.stream,
    subjects: [`${topology.subjectRoot}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: nanos(duplicateWindowMs),
  };
  try {
    await jsm.streams.info(topology.stream);
    await jsm.streams.update(topology.stream, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config);
  }
}

export interface WorkerConsumerOptions {
  /** How long a worker may hold a task without a heartbeat before it is redelivered. */
  ackWaitMs: number;
  /** Deliveries before JetStream gives up on a task and publishes a max-deliveries advisory. */
  maxDeliver: number;
  /** Upper bound on tasks out with all workers together. */
  maxAckPending: number;
}

export const defaultWorkerConsumerOptions: WorkerConsumerOptions = {
  ackWaitMs: 60_000,
  maxDeliver: 20,
  maxAckPending: 10_000,
};

/** Creates or updates the durable pull consumer all workers share. */
export async function ensureWorkerConsumer(
  jsm: JetStreamManager,
  topology: QueueTopology,
  options: WorkerConsumerOptions = defaultWorkerConsumerOptions,
): Promise<void> {
  const config = {
    durable_name: topology.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${topology.subjectRoot}.>`,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: options.maxDeliver,
    max_ack_pending: options.maxAckPending,
  };
  try {
    await jsm.consumers.info(topology.stream, topology.consumer);
    await jsm.consumers.update(topology.stream, topology.consumer, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(topology.stream, config);
  }
}

function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not found/i.test(message);
}
