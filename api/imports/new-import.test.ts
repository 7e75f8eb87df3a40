import { describe, expect, it } from "vitest";
import { folderUrlMessages } from "../../lib/imageimport/index.ts";
import { newImageImport } from "./new-import.ts";

const folderUrl = "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp?usp=sharing";

describe("newImageImport", () => {
  it("builds a minimal ImageImport with a generated name, leaving defaults to the CRD", () => {
    expect(newImageImport({ folderUrl })).toEqual({
      apiVersion: "imagesync.io/v1alpha1",
      kind: "ImageImport",
      metadata: { generateName: "import-" },
      spec: { source: { googleDrive: { folderUrl } } },
    });
  });

  it("carries every option into the spec", () => {
    const resource = newImageImport({
      folderUrl,
      name: "holiday",
      recursive: false,
      mimeTypes: ["image/png"],
      maxFileSizeBytes: 1000,
      apiKeySecretRef: { name: "drive-key" },
      destination: { bucket: "photos", prefix: "a/" },
      suspend: true,
      backoffLimitPerFile: 2,
      maxFailedFiles: 3,
      parallelism: 50,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 60,
      syncIntervalSeconds: 3600,
    });
    expect(resource.metadata).toEqual({ name: "holiday" });
    expect(resource.spec).toEqual({
      source: {
        googleDrive: {
          folderUrl,
          recursive: false,
          mimeTypes: ["image/png"],
          maxFileSizeBytes: 1000,
          apiKeySecretRef: { name: "drive-key" },
        },
      },
      destination: { bucket: "photos", prefix: "a/" },
      suspend: true,
      backoffLimitPerFile: 2,
      maxFailedFiles: 3,
      parallelism: 50,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 60,
      sync: { intervalSeconds: 3600 },
    });
  });

  it("refuses a file link with the CRD's message", () => {
    expect(() =>
      newImageImport({ folderUrl: "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view" }),
    ).toThrow(
      expect.objectContaining({
        code: "INVALID_FOLDER_URL",
        statusCode: 400,
        message: folderUrlMessages.fileLink,
      }),
    );
  });
});
