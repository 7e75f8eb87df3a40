import { describe, expect, it } from "vitest";
import { decodeFileTask, encodeFileTask, fileTaskMessageId, type FileTask } from "./file-task.ts";
import { importSubject, queueTopology } from "./topology.ts";

const task: FileTask = {
  importUid: "0c6b7e1a",
  fileId: "1AbC",
  revision: 2,
  generation: 3,
  name: "beach.jpg",
  folderPath: "2024/Summer",
  mimeType: "image/jpeg",
  size: 1234,
  md5: "d41d8cd98f00b204e9800998ecf8427e",
  resourceKey: null,
  bucket: "photos",
  objectKey: "team/holidays/2024/Summer/1AbC-beach.jpg",
  maxAttempts: 5,
};

describe("file tasks", () => {
  it("round-trip through their wire form", () => {
    expect(decodeFileTask(encodeFileTask(task))).toEqual(task);
  });

  it("accept a file of the root folder, whose path is empty", () => {
    expect(decodeFileTask(encodeFileTask({ ...task, folderPath: "" })).folderPath).toBe("");
  });

  it("refuse a message missing what a worker needs, naming the field", () => {
    expect(() => decodeFileTask(JSON.stringify({ ...task, objectKey: "" }))).toThrow(
      "file task has no objectKey",
    );
    expect(() => decodeFileTask(JSON.stringify({ ...task, generation: "3" }))).toThrow(
      "file task's generation is not a whole number",
    );
  });

  it("carry Drive's image metadata when the listing had some, checked like the rest", () => {
    const withImage: FileTask = {
      ...task,
      image: { width: 640, height: 480, takenAt: "2024-07-01T10:00:00Z", cameraMake: null },
    };
    expect(decodeFileTask(encodeFileTask(withImage))).toEqual(withImage);
    expect(() => decodeFileTask(JSON.stringify({ ...task, image: { width: "640" } }))).toThrow(
      "file task's image.width is not a number",
    );
  });

  it("are deduplicated per file, revision and generation", () => {
    expect(fileTaskMessageId(task)).toBe("0c6b7e1a/1AbC/2/3");
    expect(fileTaskMessageId({ ...task, generation: 4 })).not.toBe(fileTaskMessageId(task));
  });
});

describe("queue topology", () => {
  it("derives every name from one prefix", () => {
    const topology = queueTopology("test-a1");
    expect(topology).toEqual({
      stream: "TEST_A1_TASKS",
      subjectRoot: "test-a1.tasks",
      consumer: "test-a1-workers",
      credentialsBucket: "test-a1-credentials",
    });
    expect(importSubject(topology, "uid-1")).toBe("test-a1.tasks.uid-1");
  });

  it("refuses a prefix NATS would misread", () => {
    expect(() => queueTopology("bad.prefix")).toThrow(/queue prefix "bad.prefix"/);
  });
});
