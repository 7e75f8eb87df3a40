import { describe, expect, it } from "vitest";
import { sseFrame } from "./sse.ts";

describe("sseFrame", () => {
  it("writes one event with its id and JSON data, ending in a blank line", () => {
    expect(sseFrame("status", { state: "running", note: "two\nlines" }, "42")).toBe(
      'id: 42\nevent: status\ndata: {"state":"running","note":"two\\nlines"}\n\n',
    );
  });

  it("leaves the id out when there is none", () => {
    expect(sseFrame("end", null)).toBe("event: end\ndata: null\n\n");
  });
});
