import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drive } from "@googleapis/drive";
import type { FakeDrive, StatsSnapshot } from "./index.ts";
import { download, driveClient, failureOf, startTestDrive } from "./test-support.ts";

describe("the control endpoint", () => {
  let fake: FakeDrive;

  beforeAll(async () => {
    ({ fake } = await startTestDrive());
  });
  afterAll(() => fake.close());

  async function control(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${fake.url}/_fake/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    return { status: response.status, json: await response.json() };
  }

  it("loads a fixture, injects faults, mutates items and reports stats", async () => {
    const loaded = await control("POST", "tree", [
      {
        name: "Photos",
        resourceKey: "0-fixturekey",
        children: [
          { type: "file", name: "a.jpg", image: "eiffelTower", size: 200_000 },
          { type: "file", name: "b.png", image: { format: "png", width: 10, height: 20 } },
          { type: "file", name: "notes.txt", text: "hi" },
          { type: "doc", name: "Plan" },
          { type: "shortcut", name: "to a", targetId: "fixture-target" },
          { type: "file", id: "fixture-target", name: "c.bin", size: 1000 },
          { name: "Sub", children: [{ type: "generated", name: "gen", files: 30, size: 5000, folders: 3 }] },
        ],
      },
    ]);
    expect(loaded.status).toBe(200);
    const { roots, paths } = loaded.json as {
      roots: Array<{ id: string; resourceKey: string }>;
      paths: Record<string, string>;
    };
    expect(roots).toHaveLength(1);
    expect(roots[0]!.resourceKey).toBe("0-fixturekey");
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(["Photos", "Photos/a.jpg", "Photos/to a", "Photos/Sub/gen"]) as unknown,
    );

    const client = driveClient(fake);
    const headers = { "X-Goog-Drive-Resource-Keys": `${roots[0]!.id}/0-fixturekey` };
    const { data } = await client.files.list(
      { q: `'${roots[0]!.id}' in parents`, fields: "files(name)" },
      { headers },
    );
    expect(data.files?.map((file) => file.name)).toEqual([
      "a.jpg",
      "b.png",
      "notes.txt",
      "Plan",
      "c.bin",
      "Sub",
      "to a",
    ]);

    const added = await control("POST", "faults", { routes: ["media"], error: "backendError", times: 1 });
    expect((added.json as { ids: string[] }).ids).toHaveLength(1);
    expect((await failureOf(() => download(client, paths["Photos/notes.txt"]!))).status).toBe(500);
    expect((await download(client, paths["Photos/notes.txt"]!)).toString()).toBe("hi");

    expect((await control("POST", `items/${paths["Photos/c.bin"]}/trash`)).status).toBe(200);
    expect((await client.files.get({ fileId: paths["Photos/c.bin"]!, fields: "trashed" })).data.trashed).toBe(
      true,
    );
    const before = (await client.files.get({ fileId: paths["Photos/a.jpg"]!, fields: "md5Checksum" })).data;
    await control("POST", `items/${paths["Photos/a.jpg"]}/replace-content`, {});
    const after = (await client.files.get({ fileId: paths["Photos/a.jpg"]!, fields: "md5Checksum" })).data;
    expect(after.md5Checksum).not.toBe(before.md5Checksum);

    const stats = (await control("GET", "stats")).json as StatsSnapshot;
    expect(stats.byRoute).toMatchObject({ list: 1, media: 2 });
    expect(stats.byStatus).toMatchObject({ 500: 1 });
    await control("POST", "stats/reset");
    expect(((await control("GET", "stats")).json as StatsSnapshot).requests).toBe(0);
  });

  it("sets the rate limit and resets everything", async () => {
    expect((await control("PUT", "rate-limit", { requestsPerSecond: 1, burst: 1 })).status).toBe(200);
    const client = driveClient(fake);
    const fileId = fake.tree.addFolder({ name: "open" });
    await client.files.get({ fileId });
    expect((await failureOf(() => client.files.get({ fileId }))).reason).toBe("userRateLimitExceeded");
    await control("PUT", "rate-limit", null);
    await control("POST", "reset");
    expect(fake.tree.size).toBe(0);
    expect((await failureOf(() => client.files.get({ fileId }))).status).toBe(404);
  });

  it("answers bad requests with a message", async () => {
    expect(await control("POST", "faults", { error: "noSuchError" })).toMatchObject({ status: 400 });
    expect(
      await control("POST", "tree", [{ name: "x", children: [{ type: "file", name: "y" }] }]),
    ).toMatchObject({
      status: 400,
      json: { error: 'file "y": give image, bytes or size' },
    });
    expect(await control("GET", "nothing")).toMatchObject({ status: 404 });
  });
});

describe("the CLI", { timeout: 30_000 }, () => {
  it("prints its URL and root folders as one JSON line, serves them, and stops on SIGTERM", async () => {
    const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      [
        cli,
        "--api-key",
        "cli-key",
        "--generate",
        "25",
        "--size",
        "2KB",
        "--folders",
        "2",
        "--demo",
        "--rate-limit",
        "50/50",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
    const printed = JSON.parse(line) as {
      rootUrl: string;
      apiKeys: string[];
      folders: Array<{ id: string; source: string; folderUrl: string }>;
    };
    expect(printed.apiKeys).toEqual(["cli-key"]);
    expect(printed.folders.map((folder) => folder.source)).toEqual(["generated", "demo"]);
    expect(printed.folders[0]!.folderUrl).toBe(
      `https://drive.google.com/drive/folders/${printed.folders[0]!.id}`,
    );

    const client = drive({ version: "v3", auth: "cli-key", rootUrl: printed.rootUrl, retry: false });
    const { data } = await client.files.list({
      q: `'${printed.folders[0]!.id}' in parents`,
      fields: "files(name)",
    });
    expect(data.files?.map((file) => file.name)).toEqual(["Folder 1.1", "Folder 1.2"]);

    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });
});
