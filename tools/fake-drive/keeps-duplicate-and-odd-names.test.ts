import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { drive_v3 } from "@googleapis/drive";
import { ODD_NAMES, type FakeDrive } from "./index.ts";
import { startTestDrive } from "./test-support.ts";

/** A q string literal: backslashes and single quotes escaped. */
const quoted = (text: string): string => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

describe("names", () => {
  let fake: FakeDrive;
  let client: drive_v3.Drive;
  let folderId: string;

  beforeAll(async () => {
    ({ fake, client } = await startTestDrive());
    folderId = fake.tree.addFolder({ name: "odd" });
    for (const name of ODD_NAMES) fake.tree.addFile({ parentId: folderId, name, size: 10 });
    fake.tree.addFile({ parentId: folderId, name: "twin.jpg", size: 1 });
    fake.tree.addFile({ parentId: folderId, name: "twin.jpg", size: 2 });
  });
  afterAll(() => fake.close());

  it("lists odd names verbatim and keeps duplicates apart", async () => {
    const { data } = await client.files.list({
      q: `'${folderId}' in parents`,
      fields: "files(id,name,size)",
    });
    expect(data.files?.map((file) => file.name)).toEqual([...ODD_NAMES, "twin.jpg", "twin.jpg"]);
    const twins = data.files!.filter((file) => file.name === "twin.jpg");
    expect(new Set(twins.map((file) => file.id)).size).toBe(2);
    expect(twins.map((file) => file.size)).toEqual(["1", "2"]);
    expect(ODD_NAMES.some((name) => name.length > 255)).toBe(true);
  });

  it("finds each odd name with name = '…' and escapes", async () => {
    for (const name of ODD_NAMES) {
      const { data } = await client.files.list({
        q: `'${folderId}' in parents and name = ${quoted(name)}`,
        fields: "files(name)",
      });
      expect(
        data.files?.map((file) => file.name),
        JSON.stringify(name),
      ).toEqual([name]);
    }
  });

  it("orders by name or folder-first when asked, paging over the sorted order", async () => {
    const subfolder = fake.tree.addFolder({ parentId: folderId, name: "zz folder" });
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await client.files.list({
        q: `'${folderId}' in parents`,
        orderBy: "folder,name desc",
        pageSize: 7,
        pageToken,
        fields: "nextPageToken,files(id,name)",
      });
      names.push(...(data.files ?? []).map((file) => file.name!));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(names[0]).toBe("zz folder");
    const rest = names.slice(1);
    expect(rest).toEqual([...rest].sort((a, b) => b.localeCompare(a)));
    expect(names).toHaveLength(ODD_NAMES.length + 3);
    fake.tree.remove(subfolder);
  });
});
