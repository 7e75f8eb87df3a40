import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileReason } from "../../lib/imageimport/reasons.ts";
import { ensureDeadLetterStream } from "../../lib/queue/index.ts";
import { eventually } from "../support/eventually.ts";
import {
  createWorkerTestBed,
  fileRows,
  publishImport,
  runWorker,
  type WorkerTestBed,
} from "./worker-test-bed.ts";

describe("a task JetStream gives up on", () => {
  let bed: WorkerTestBed;

  beforeAll(async () => {
    bed = await createWorkerTestBed({ consumer: { ackWaitMs: 1_000, maxDeliver: 2 } });
  });

  afterAll(async () => {
    await bed.close();
  });

  it("is dead-lettered, and a worker fails its file with DeliveryLimitReached", async () => {
    await ensureDeadLetterStream(bed.jsm, bed.topology);
    const folderId = bed.drive.tree.addFolder({ name: "Cursed" });
    bed.drive.tree.addFile({
      name: "cursed.png",
      parentId: folderId,
      image: { format: "png", width: 8, height: 8 },
    });
    const { importUid } = await publishImport(bed, folderId);

    // Two workers take the task and die before finishing it (they never ack): MaxDeliver is reached.
    const consumer = await jetstream(bed.nc).consumers.get(bed.topology.stream, bed.topology.consumer);
    for (let delivery = 1; delivery <= 2; delivery++) {
      const message = await consumer.next({ expires: 5_000 });
      expect(message?.info.deliveryCount).toBe(delivery);
    }
    expect((await fileRows(bed, importUid))[0]?.state).toBe("queued");

    const worker = await runWorker(bed);
    const [row] = await eventually(
      "the file to fail",
      () => fileRows(bed, importUid),
      (rows) => rows[0]?.state === "failed",
    );
    expect(row).toMatchObject({ error_reason: FileReason.DeliveryLimitReached });
    expect(row?.error_message).toMatch(/after 2 deliveries/);
    expect(await worker.metric("imagesync_worker_dead_letters_total")).toBe(1);
    // The abandoned task no longer sits in the work queue.
    expect((await bed.jsm.streams.info(bed.topology.stream)).state.messages).toBe(0);
    await worker.worker.stop(5_000);
  });
});
