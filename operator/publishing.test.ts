import { describe, expect, it } from "vitest";
import { fileTaskFor, publishBudget } from "./publishing.ts";

describe("the per-import window", () => {
  it("publishes only as many files as spec.parallelism leaves open", () => {
    expect(publishBudget(10, { pending: 100, queued: 4, in_progress: 3 })).toBe(3);
    expect(publishBudget(10, { pending: 2, queued: 0, in_progress: 0 })).toBe(2);
    expect(publishBudget(10, { pending: 100, queued: 8, in_progress: 5 })).toBe(0);
  });
});

describe("a file's task", () => {
  const row = {
    file_id: "1Photo",
    name: "beach.jpg",
    folder_path: "2024",
    mime_type: "image/jpeg",
    size: "5000",
    md5: "m",
    resource_key: null,
    object_key: "p/2024/1Photo-beach.jpg",
    revision: 2,
    publish_generation: 3,
    image: { width: 64 },
  };

  it("carries the next generation, so a republish is not swallowed by the dedup window", () => {
    expect(fileTaskFor(row, { importUid: "u", bucket: "photos", maxAttempts: 5 })).toEqual({
      importUid: "u",
      fileId: "1Photo",
      revision: 2,
      generation: 4,
      name: "beach.jpg",
      folderPath: "2024",
      mimeType: "image/jpeg",
      size: 5000,
      md5: "m",
      resourceKey: null,
      bucket: "photos",
      objectKey: "p/2024/1Photo-beach.jpg",
      maxAttempts: 5,
      image: { width: 64 },
    });
  });

  it("has no image field when Drive had no metadata", () => {
    expect(
      fileTaskFor({ ...row, image: null }, { importUid: "u", bucket: "b", maxAttempts: 1 }),
    ).not.toHaveProperty("image");
  });
});
