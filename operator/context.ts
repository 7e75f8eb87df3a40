import type { JetStreamManager } from "@nats-io/jetstream";
import type { Kysely } from "kysely";
import type { Clock, KubeClient, Logger } from "../lib/controller-runtime/index.ts";
import type { Database, ImportRow } from "../lib/db/index.ts";
import type { DriveFolderRef, ImageImportSpec, StoredImageImport } from "../lib/imageimport/index.ts";
import type { QueueTopology } from "../lib/queue/index.ts";
import type { ImportCredentials } from "./credentials.ts";
import type { BucketCheck } from "./destination.ts";
import type { ImportEvents } from "./events.ts";
import type { ImportDestination } from "./import-record.ts";
import type { ListingRunner } from "./listing.ts";
import type { OperatorMetrics } from "./metrics.ts";
import type { StatusWriter } from "./status.ts";
import type { StreamPublisher } from "./task-publisher.ts";

/** Tunables of the ImageImport controller; defaults in controller.ts. */
export interface ControllerSettings {
  defaultBucket: string;
  /** How often a running import is reconciled again to publish and aggregate progress. */
  pollIntervalMs: number;
  /** Least time between two progress-only status writes of one import. */
  statusIntervalMs: number;
  /** How long a stopped import (cancel, deadline, failure) waits for files in flight before abandoning them. */
  inFlightGraceMs: number;
  publishChunkSize: number;
  publishTimeBudgetMs: number;
}

/** Everything a reconcile works with; built once by createImageImportController. */
export interface ControllerContext {
  db: Kysely<Database>;
  publisher: StreamPublisher;
  jsm: JetStreamManager;
  topology: QueueTopology;
  kube: KubeClient;
  credentials: ImportCredentials;
  listings: ListingRunner;
  status: StatusWriter;
  events: ImportEvents;
  metrics: OperatorMetrics;
  bucketCheck: BucketCheck | undefined;
  clock: Clock;
  logger: Logger;
  settings: ControllerSettings;
  /** Asks for a reconcile of `key`. */
  enqueue: (key: string) => void;
}

/** One import as a reconcile sees it: the object, its parsed source, destination and row. */
export interface ImportView {
  object: StoredImageImport;
  spec: ImageImportSpec;
  uid: string;
  /** `namespace/name`, the work-queue key. */
  key: string;
  folder: DriveFolderRef;
  destination: ImportDestination;
  record: ImportRow;
}
