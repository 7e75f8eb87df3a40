import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Kysely } from "kysely";
import type { Database } from "../../lib/db/index.ts";
import { DriveClients, walkFolder, type DriveFile } from "../../lib/drive/index.ts";
import {
  encodeFileTask,
  fileTaskMessageId,
  importSubject,
  type CredentialsStore,
  type FileTask,
  type QueueTopology,
} from "../../lib/queue/index.ts";
import { objectKeyFor } from "../../lib/storage/index.ts";

/** The API key the fake Drive accepts in worker tests and benchmarks. */
export const testApiKey = "worker-test-key";

/** Where an import is recorded and published: what the operator writes to. */
export interface PublishTarget {
  db: Kysely<Database>;
  nc: NatsConnection;
  topology: QueueTopology;
  credentials: CredentialsStore;
  bucket: string;
  drive: { rootUrl: string };
}

export interface PublishedImport {
  importUid: string;
  tasks: FileTask[];
  /** Each listed file by name. */
  files: Map<string, DriveFile>;
}

export interface PublishOptions {
  maxAttempts?: number;
  /** Which listed files to publish; all by default. */
  include?: (file: DriveFile) => boolean;
  /** Publish tasks as if Drive had listed no imageMediaMetadata, so the worker must read the bytes. */
  withoutImageMetadata?: boolean;
}

// PostgreSQL takes at most 65535 parameters per statement; a file row has 12.
const rowsPerInsert = 1_000;
const publishesInFlight = 256;

/**
 * Does what the operator does for a new import: lists `folderId` through lib/drive, records the import and
 * its files as queued, hands the API key over to workers and publishes one task per file with its dedup id.
 */
export async function publishImport(
  target: PublishTarget,
  folderId: string,
  options: PublishOptions = {},
): Promise<PublishedImport> {
  const importUid = randomUUID();
  const objectPrefix = `tests/${importUid}/`;
  const clients = new DriveClients({
    rootUrl: target.drive.rootUrl,
    pacing: { ratePerSecond: 1_000, burst: 1_000 },
  });
  const files = new Map<string, DriveFile>();
  const tasks: FileTask[] = [];
  try {
    for await (const event of walkFolder(clients.forApiKey(testApiKey), {
      id: folderId,
      resourceKey: null,
    })) {
      if (event.kind !== "file" || !(options.include?.(event.file) ?? true)) continue;
      files.set(event.file.name, event.file);
      tasks.push(
        fileTask(
          target.bucket,
          importUid,
          event.file,
          event.folderPath,
          objectPrefix,
          options.maxAttempts ?? 3,
          options.withoutImageMetadata === true,
        ),
      );
    }
  } finally {
    clients.close();
  }
  await target.db
    .insertInto("imports")
    .values({
      uid: importUid,
      namespace: "tests",
      name: importUid,
      source: "google-drive",
      folder_id: folderId,
      bucket: target.bucket,
      prefix: objectPrefix,
      state: "running",
    })
    .execute();
  for (let start = 0; start < tasks.length; start += rowsPerInsert) {
    await target.db
      .insertInto("import_files")
      .values(
        tasks.slice(start, start + rowsPerInsert).map((task) => ({
          import_uid: importUid,
          file_id: task.fileId,
          name: task.name,
          folder_path: task.folderPath,
          mime_type: task.mimeType,
          size: task.size,
          md5: task.md5,
          resource_key: task.resourceKey,
          object_key: task.objectKey,
          state: "queued" as const,
          publish_generation: task.generation,
        })),
      )
      .execute();
  }
  await target.credentials.put(importUid, { driveApiKey: testApiKey });
  for (let start = 0; start < tasks.length; start += publishesInFlight) {
    await Promise.all(tasks.slice(start, start + publishesInFlight).map((task) => publishTask(target, task)));
  }
  return { importUid, tasks, files };
}

/** Publishes one task with its dedup id, as the operator does. */
export async function publishTask(
  target: Pick<PublishTarget, "nc" | "topology">,
  task: FileTask,
): Promise<void> {
  await jetstream(target.nc).publish(importSubject(target.topology, task.importUid), encodeFileTask(task), {
    msgID: fileTaskMessageId(task),
  });
}

function fileTask(
  bucket: string,
  importUid: string,
  file: DriveFile,
  folderPath: string,
  objectPrefix: string,
  maxAttempts: number,
  withoutImageMetadata: boolean,
): FileTask {
  const image = withoutImageMetadata ? null : file.image;
  return {
    importUid,
    fileId: file.id,
    revision: 1,
    generation: 1,
    name: file.name,
    folderPath,
    mimeType: file.mimeType,
    size: file.size,
    md5: file.md5Checksum,
    resourceKey: file.resourceKey,
    bucket,
    objectKey: objectKeyFor(objectPrefix, folderPath, file.id, file.name),
    maxAttempts,
    ...(image === null
      ? {}
      : {
          image: {
            width: image.width ?? null,
            height: image.height ?? null,
            takenAt: image.time ?? null,
            cameraMake: image.cameraMake ?? null,
            cameraModel: image.cameraModel ?? null,
            latitude: image.location?.latitude ?? null,
            longitude: image.location?.longitude ?? null,
          },
        }),
  };
}
