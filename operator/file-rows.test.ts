import { describe, expect, it } from "vitest";
import type { DriveFile } from "../lib/drive/index.ts";
import { fileRowFor, fileVerdict, taskImageMetadata } from "./file-rows.ts";

const filter = { mimeTypes: ["image/*"], maxFileSizeBytes: 10_000 };
const context = { importUid: "uid-1", prefix: "team/trip/", filter, round: 2 };
const photo: DriveFile = {
  id: "1Photo",
  name: "beach.jpg",
  mimeType: "image/jpeg",
  size: 5_000,
  md5Checksum: "0cc175b9c0f1b6a831c399e269772661",
  sha256Checksum: null,
  modifiedTime: "2024-07-01T10:00:00.000Z",
  createdTime: null,
  resourceKey: "0-abc",
  image: {
    width: 64,
    height: 48,
    time: "2024:07:01 10:00:00",
    cameraMake: "Canon",
    location: { latitude: 1.5 },
  },
  downloadable: true,
  viaShortcutId: null,
};

describe("which files an import takes", () => {
  it("takes a downloadable image within the size limit", () => {
    expect(fileVerdict(photo, filter)).toEqual({ state: "pending" });
  });

  it("skips other types, Docs and files over the limit, each with its reason", () => {
    expect(fileVerdict({ ...photo, mimeType: "application/pdf" }, filter)).toMatchObject({
      reason: "MimeTypeExcluded",
    });
    expect(fileVerdict({ ...photo, downloadable: false }, filter)).toMatchObject({
      reason: "NotDownloadable",
    });
    expect(fileVerdict({ ...photo, size: 10_001 }, filter)).toMatchObject({
      reason: "FileTooLarge",
      message: "10001 bytes is more than the import's maxFileSizeBytes (10000)",
    });
    expect(
      fileVerdict({ ...photo, size: 10_001 }, { mimeTypes: ["image/jpeg"], maxFileSizeBytes: undefined }),
    ).toEqual({
      state: "pending",
    });
  });
});

describe("the row a listed file becomes", () => {
  it("records what the task needs: object key, checksum, resource key and Drive's image metadata", () => {
    const row = fileRowFor({ kind: "file", file: photo, folderPath: "2024/Summer" }, context);
    expect(row).toMatchObject({
      import_uid: "uid-1",
      file_id: "1Photo",
      folder_path: "2024/Summer",
      object_key: "team/trip/2024/Summer/1Photo-beach.jpg",
      state: "pending",
      size: 5_000,
      md5: photo.md5Checksum,
      resource_key: "0-abc",
      listed_round: 2,
      error_reason: null,
    });
    expect(JSON.parse(row?.image ?? "null")).toEqual({
      width: 64,
      height: 48,
      takenAt: "2024-07-01T10:00:00.000Z",
      cameraMake: "Canon",
      latitude: 1.5,
    });
  });

  it("records a dangling shortcut as skipped under the shortcut's id", () => {
    const row = fileRowFor(
      {
        kind: "dangling-shortcut",
        shortcutId: "1Short",
        name: "old link",
        targetId: "1Gone",
        folderPath: "",
      },
      context,
    );
    expect(row).toMatchObject({
      file_id: "1Short",
      state: "skipped",
      error_reason: "DanglingShortcut",
      object_key: "team/trip/1Short-old link",
    });
  });

  it("records nothing for folder progress", () => {
    expect(
      fileRowFor(
        { kind: "folder-listed", folderId: "f", folderPath: "", foldersListed: 1, foldersPending: 0 },
        context,
      ),
    ).toBeUndefined();
  });

  it("leaves out an EXIF time it cannot read", () => {
    expect(taskImageMetadata({ time: "sometime" })).toEqual({});
  });
});
