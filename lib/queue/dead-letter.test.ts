import { describe, expect, it } from "vitest";
import { deadLetterTopology, decodeMaxDeliveriesAdvisory } from "./dead-letter.ts";
import { queueTopology } from "./topology.ts";

describe("dead letters", () => {
  it("are named after the task stream and listen to its consumer's max-deliveries advisories", () => {
    expect(deadLetterTopology(queueTopology("test-a1"))).toEqual({
      stream: "TEST_A1_TASKS_DEAD_LETTERS",
      advisorySubject: "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.TEST_A1_TASKS.test-a1-workers",
      consumer: "test-a1-workers-dead-letters",
    });
  });

  it("decode the server's advisory", () => {
    const advisory = JSON.stringify({
      type: "io.nats.jetstream.advisory.v1.max_deliver",
      id: "x",
      timestamp: "2025-01-01T00:00:00Z",
      stream: "TEST_A1_TASKS",
      consumer: "test-a1-workers",
      stream_seq: 42,
      deliveries: 20,
    });
    expect(decodeMaxDeliveriesAdvisory(advisory)).toEqual({
      stream: "TEST_A1_TASKS",
      consumer: "test-a1-workers",
      streamSequence: 42,
      deliveries: 20,
    });
    expect(() => decodeMaxDeliveriesAdvisory("{}")).toThrow(/not a max-deliveries advisory/);
  });
});
