import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireEnv, uniqueName } from "../support/stack.ts";

describe("NATS JetStream", () => {
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers: requireEnv("NATS_URL") });
  });

  afterAll(async () => {
    await nc.drain();
  });

  it("keeps one message per Nats-Msg-Id in a WorkQueue stream and removes it once acked", async () => {
    const stream = uniqueName("tasks").replaceAll("-", "_");
    const subject = `${stream}.files`;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: stream,
      subjects: [`${stream}.>`],
      retention: RetentionPolicy.Workqueue,
      duplicate_window: 60_000_000_000,
    });
    const js = jetstream(nc);

    const first = await js.publish(subject, "file-1", { msgID: "import-a/file-1" });
    const again = await js.publish(subject, "file-1", { msgID: "import-a/file-1" });
    await js.publish(subject, "file-2", { msgID: "import-a/file-2" });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect((await jsm.streams.info(stream)).state.messages).toBe(2);

    await jsm.consumers.add(stream, { durable_name: "workers", ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(stream, "workers");
    const received: string[] = [];
    const messages = await consumer.fetch({ max_messages: 2, expires: 2_000 });
    for await (const message of messages) {
      received.push(message.string());
      await message.ackAck();
    }
    expect(received.sort()).toEqual(["file-1", "file-2"]);
    expect((await jsm.streams.info(stream)).state.messages).toBe(0);
    await jsm.streams.delete(stream);
  });
});
