export { CredentialsStore, type ImportCredentials } from "./credentials.ts";
export {
  deadLetterTopology,
  decodeMaxDeliveriesAdvisory,
  ensureDeadLetterStream,
  type DeadLetterTopology,
  type MaxDeliveriesAdvisory,
} from "./dead-letter.ts";
export {
  defaultWorkerConsumerOptions,
  duplicateWindowMs,
  ensureTaskStream,
  ensureWorkerConsumer,
  type WorkerConsumerOptions,
} from "./ensure.ts";
export {
  decodeFileTask,
  encodeFileTask,
  fileTaskMessageId,
  type FileTask,
  type TaskImageMetadata,
} from "./file-task.ts";
export { importSubject, queueTopology, type QueueTopology } from "./topology.ts";
