import type { DriveFolderRef } from "./folder-url.ts";

/**
 * Folder links as users paste them, with what each names. Shared by the parser's unit test and the
 * integration test that feeds the same inputs to the CRD's validation on a real API server.
 */
export const folderUrlCases: { input: string; folder?: DriveFolderRef; fileLink?: boolean }[] = [
  { input: "https://drive.google.com/drive/folders/1AbCdEfGhIjK", folder: { folderId: "1AbCdEfGhIjK" } },
  {
    input: "https://drive.google.com/drive/folders/1AbCdEfGhIjK?usp=sharing",
    folder: { folderId: "1AbCdEfGhIjK" },
  },
  {
    input: "https://drive.google.com/drive/folders/1AbCdEfGhIjK?usp=drive_link&resourcekey=0-XyZ_key",
    folder: { folderId: "1AbCdEfGhIjK", resourceKey: "0-XyZ_key" },
  },
  { input: "https://drive.google.com/drive/u/1/folders/1AbCdEfGhIjK/", folder: { folderId: "1AbCdEfGhIjK" } },
  { input: "https://drive.google.com/open?id=1AbCdEfGhIjK", folder: { folderId: "1AbCdEfGhIjK" } },
  { input: "https://drive.google.com/folderview?id=1AbCdEfGhIjK", folder: { folderId: "1AbCdEfGhIjK" } },
  { input: "1AbCdEfGhIjK_-x", folder: { folderId: "1AbCdEfGhIjK_-x" } },
  { input: "https://drive.google.com/file/d/1AbCdEfGhIjK/view?usp=sharing", fileLink: true },
  { input: "https://example.com/drive/folders/1AbCdEfGhIjK" },
  { input: "http://drive.google.com/drive/folders/1AbCdEfGhIjK" },
  { input: "https://drive.google.com/drive/folders/short" },
  { input: "https://drive.google.com/drive/my-drive" },
  { input: "https://drive.google.com/open?id=bad id here" },
  { input: "not a url at all" },
  { input: " https://drive.google.com/drive/folders/1AbCdEfGhIjK" },
  { input: "https://drive.google.com/drive/folders/1AbCdEfGhIjK/../../evil" },
];
