import type { Consumer, ConsumerMessages, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../lib/log/index.ts";
import {
  decodeFileTask,
  decodeMaxDeliveriesAdvisory,
  type FileTask,
  type QueueTopology,
} from "../lib/queue/index.ts";
import type { FileRecords } from "./file-records.ts";
import type { WorkerMetrics } from "./metrics.ts";

export interface DeadLetterRecorderOptions {
  /** The durable consumer on the dead-letter stream (lib/queue's deadLetterTopology). */
  consumer: Consumer;
  jsm: JetStreamManager;
  topology: QueueTopology;
  records: FileRecords;
  metrics: WorkerMetrics;
  logger: Logger;
}

/**
 * Reads max-deliveries advisories and ends each abandoned task's file as `failed/DeliveryLimitReached`, so no
 * file stays non-terminal after JetStream stopped delivering its task. The task itself is then deleted from
 * the work queue, where nothing would ever remove it.
 */
export class DeadLetterRecorder {
  readonly #options: DeadLetterRecorderOptions;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: DeadLetterRecorderOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#messages = await this.#options.consumer.consume({ max_messages: 16 });
    this.#loop = this.#run(this.#messages);
  }

  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#loop;
  }

  async #run(messages: ConsumerMessages): Promise<void> {
    for await (const message of messages) {
      try {
        await this.#record(message);
        message.ack();
      } catch (error) {
        this.#options.logger.error("recording a dead-lettered task failed; it will be retried", { error });
        message.nak(5_000);
      }
    }
  }

  async #record(message: JsMsg): Promise<void> {
    const { jsm, topology, records, metrics, logger } = this.#options;
    const advisory = decodeMaxDeliveriesAdvisory(message.string());
    const stored = await jsm.streams.getMessage(topology.stream, { seq: advisory.streamSequence });
    if (stored === null) return; // Acked or purged meanwhile: nothing was abandoned.
    let task: FileTask;
    try {
      task = decodeFileTask(new TextDecoder().decode(stored.data));
    } catch (error) {
      logger.error("dead-lettered task is malformed; deleting it", { error, seq: advisory.streamSequence });
      await jsm.streams.deleteMessage(topology.stream, advisory.streamSequence, false);
      return;
    }
    const failed = await records.failUndeliverable(
      task,
      `JetStream gave up on the task after ${advisory.deliveries} deliveries (workers kept stopping while importing it)`,
    );
    await jsm.streams.deleteMessage(topology.stream, advisory.streamSequence, false);
    if (failed) metrics.deadLetters.inc();
    logger.warn("task dead-lettered", {
      importUid: task.importUid,
      fileId: task.fileId,
      deliveries: advisory.deliveries,
      fileFailed: failed,
    });
  }
}
