import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateTree, STOCK_IMAGES, type FakeTree } from "../../tools/fake-drive/index.ts";
import { startDriveUnderTest, collectEvents, type DriveUnderTest } from "./test-support.ts";
import { walkFolder, type WalkEvent } from "./walk.ts";

type FileEvent = Extract<WalkEvent, { kind: "file" }>;

function files(events: WalkEvent[]): FileEvent[] {
  return events.filter((event): event is FileEvent => event.kind === "file");
}

/** "folder path | name" of each file yielded, sorted, with the file id. */
function placed(events: WalkEvent[]): [string, string][] {
  return files(events)
    .map((event): [string, string] => [`${event.folderPath} | ${event.file.name}`, event.file.id])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const longName = `${"l".repeat(296)}.jpg`;

/** A tree with everything a real shared folder can hold; returns the ids a test checks. */
function seedAwkwardTree(tree: FakeTree) {
  const image = STOCK_IMAGES.scan;
  const root = tree.addFolder({ name: "Photos" });
  const a1 = tree.addFile({ parentId: root, name: "a.jpg", image });
  const a2 = tree.addFile({ parentId: root, name: "a.jpg", image }); // same name, another file
  const doc = tree.addDoc({ parentId: root, name: "Trip plan" });
  tree.addFile({ parentId: root, name: "deleted.jpg", image, trashed: true });
  const binFolder = tree.addFolder({ parentId: root, name: "Bin" });
  tree.addFile({ parentId: binFolder, name: "in-bin.jpg", image });
  tree.trash(binFolder);
  const noDownload = tree.addFile({ parentId: root, name: "view-only.jpg", image, canDownload: false });

  const y2023 = tree.addFolder({ parentId: root, name: "2023" });
  const b = tree.addFile({ parentId: y2023, name: "b.png", image: STOCK_IMAGES.screenshot });
  const day2 = tree.addFolder({ parentId: y2023, name: "Day 2" });
  const hostile = tree.addFile({ parentId: day2, name: "../../etc/passwd", image });
  const unicode = tree.addFile({ parentId: day2, name: "Ünïcødé 写真 😀.jpg", image });
  const long = tree.addFile({ parentId: day2, name: longName, image });
  const slashFolder = tree.addFolder({ parentId: y2023, name: "a/b" });
  const d = tree.addFile({ parentId: slashFolder, name: "d.jpg", image });
  tree.addFolder({ parentId: y2023, name: "Empty" });

  const keyed = tree.addFolder({ parentId: root, name: "Keyed", resourceKey: true });
  const e = tree.addFile({ parentId: keyed, name: "e.jpg", image, resourceKey: true });
  const deeper = tree.addFolder({ parentId: keyed, name: "Deeper", resourceKey: true });
  const f = tree.addFile({ parentId: deeper, name: "f.jpg", image });

  // Outside the shared tree: targets of shortcuts.
  const elsewhere = tree.addFolder({ name: "Elsewhere" });
  const park = tree.addFile({ parentId: elsewhere, name: "park.jpg", image, resourceKey: true });
  const album = tree.addFolder({ parentId: elsewhere, name: "Album", resourceKey: true });
  const g = tree.addFile({ parentId: album, name: "g.jpg", image });

  const toPark = tree.addShortcut({ parentId: root, name: "Best photo.jpg", targetId: park });
  tree.addShortcut({ parentId: day2, name: "Again best.jpg", targetId: park }); // same target: once
  tree.addShortcut({ parentId: day2, name: "Copy of b", targetId: b }); // target inside the tree: once
  const dangling = tree.addShortcut({
    parentId: root,
    name: "Gone",
    targetId: "1GoneGoneGone",
    targetMimeType: "image/jpeg",
  });
  tree.addShortcut({ parentId: day2, name: "Up to Photos", targetId: root }); // a loop
  tree.addShortcut({ parentId: root, name: "2023 again", targetId: y2023 }); // already walked
  tree.addShortcut({ parentId: y2023, name: "Linked album", targetId: album });
  const trashedTarget = tree.addFile({ parentId: elsewhere, name: "old.jpg", image, trashed: true });
  const toTrashed = tree.addShortcut({ parentId: root, name: "Old", targetId: trashedTarget });

  return {
    root,
    a1,
    a2,
    doc,
    noDownload,
    b,
    hostile,
    unicode,
    long,
    d,
    e,
    f,
    g,
    park,
    toPark,
    dangling,
    toTrashed,
  };
}

describe("walkFolder", () => {
  let env: DriveUnderTest;

  beforeEach(async () => {
    env = await startDriveUnderTest();
  });
  afterEach(() => env.close());

  it("yields every file of an awkward tree exactly once, with its folder path", async () => {
    const ids = seedAwkwardTree(env.fake.tree);
    const events = await collectEvents(walkFolder(env.drive, { id: ids.root }));

    expect(placed(events)).toEqual([
      [" | Best photo.jpg", ids.park],
      [" | Trip plan", ids.doc],
      [" | a.jpg", ids.a1],
      [" | a.jpg", ids.a2],
      [" | view-only.jpg", ids.noDownload],
      ["2023 | b.png", ids.b],
      ["2023/Day 2 | ../../etc/passwd", ids.hostile],
      [`2023/Day 2 | ${longName}`, ids.long],
      ["2023/Day 2 | Ünïcødé 写真 😀.jpg", ids.unicode],
      ["2023/Linked album | g.jpg", ids.g],
      ["2023/a／b | d.jpg", ids.d],
      ["Keyed | e.jpg", ids.e],
      ["Keyed/Deeper | f.jpg", ids.f],
    ]);
    const byId = new Map(files(events).map((event) => [event.file.id, event.file]));
    expect(byId.get(ids.park)).toMatchObject({
      viaShortcutId: ids.toPark,
      resourceKey: env.fake.tree.get(ids.park)?.resourceKey,
    });
    expect(byId.get(ids.park)?.md5Checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(byId.get(ids.e)?.resourceKey).toBe(env.fake.tree.get(ids.e)?.resourceKey);
    expect(byId.get(ids.doc)).toMatchObject({ downloadable: false, size: null });
    expect(byId.get(ids.noDownload)?.downloadable).toBe(false);
    expect(byId.get(ids.a1)).toMatchObject({ downloadable: true, mimeType: "image/jpeg" });
    expect(byId.get(ids.a1)?.image?.width).toBe(STOCK_IMAGES.scan.width);

    expect(events.filter((event) => event.kind === "dangling-shortcut")).toEqual([
      {
        kind: "dangling-shortcut",
        shortcutId: ids.dangling,
        name: "Gone",
        targetId: "1GoneGoneGone",
        folderPath: "",
      },
      {
        kind: "dangling-shortcut",
        shortcutId: ids.toTrashed,
        name: "Old",
        targetId: env.fake.tree.get(ids.toTrashed)?.shortcut?.targetId,
        folderPath: "",
      },
    ]);
    const listed = events.flatMap((event) => (event.kind === "folder-listed" ? [event.folderPath] : []));
    expect(listed.sort()).toEqual([
      "",
      "2023",
      "2023/Day 2",
      "2023/Empty",
      "2023/Linked album",
      "2023/a／b",
      "Keyed",
      "Keyed/Deeper",
    ]);
    expect(events.at(-1)).toMatchObject({ kind: "folder-listed", foldersListed: 8, foldersPending: 0 });
  });

  it("walks a folder shared with a resource key, and not without it", async () => {
    const root = env.fake.tree.addFolder({ name: "Old share", resourceKey: true });
    const sub = env.fake.tree.addFolder({ parentId: root, name: "Sub", resourceKey: true });
    const file = env.fake.tree.addFile({ parentId: sub, name: "x.jpg", image: STOCK_IMAGES.scan });
    const resourceKey = env.fake.tree.get(root)?.resourceKey;
    expect(placed(await collectEvents(walkFolder(env.drive, { id: root, resourceKey })))).toEqual([
      ["Sub | x.jpg", file],
    ]);
    await expect(collectEvents(walkFolder(env.drive, { id: root }))).rejects.toMatchObject({
      kind: "notFound",
    });
  });

  it("lists only the root's own files when not recursive", async () => {
    const ids = seedAwkwardTree(env.fake.tree);
    const events = await collectEvents(walkFolder(env.drive, { id: ids.root }, { recursive: false }));
    expect(placed(events).map(([place]) => place)).toEqual([
      " | Best photo.jpg",
      " | Trip plan",
      " | a.jpg",
      " | a.jpg",
      " | view-only.jpg",
    ]);
    expect(events.filter((event) => event.kind === "folder-listed")).toHaveLength(1);
    expect(env.fake.stats.snapshot().byRoute.list).toBe(1);
  });

  it("pages through 2,500 files until no nextPageToken is left, past empty and short pages", async () => {
    const generated = generateTree(env.fake.tree, { files: 2_500, size: 16, nonImages: 1 });
    // Rules combine: pages 1 and 2 come back empty, page 3 with 3 files, each still with a token.
    env.fake.faults.add({ routes: ["list"], pageFiles: 0, times: 2 });
    env.fake.faults.add({ routes: ["list"], pageFiles: 3, times: 3 });
    const events = await collectEvents(walkFolder(env.drive, { id: generated.rootId }));
    const ids = files(events).map((event) => event.file.id);
    expect(ids).toHaveLength(2_500);
    expect(new Set(ids).size).toBe(2_500);
    // Two empty pages, a 3-item page, then 1000 + 1000 + 497.
    expect(env.fake.stats.snapshot().byRoute.list).toBe(6);
  });

  it("yields a file once when shortcuts to it are met before its own folder is found", async () => {
    const tree = env.fake.tree;
    const root = tree.addFolder({ name: "Shared" });
    // Both shortcuts are met while listing the root, before "Deeper" is even found.
    const later = tree.addFolder({ parentId: root, name: "Later" });
    const deeper = tree.addFolder({ parentId: later, name: "Deeper" });
    const photo = tree.addFile({ parentId: deeper, name: "photo.jpg", image: STOCK_IMAGES.scan });
    const shortcuts = [
      tree.addShortcut({ parentId: root, name: "A link.jpg", targetId: photo }),
      tree.addShortcut({ parentId: root, name: "Z link.jpg", targetId: photo }),
    ];
    const events = await collectEvents(walkFolder(env.drive, { id: root }));
    const met = files(events).filter((event) => event.file.id === photo);
    // Yielded through the shortcut met first, and neither through the other nor again from its own folder.
    expect(met).toHaveLength(1);
    expect(met[0]?.folderPath).toBe("");
    expect(shortcuts).toContain(met[0]?.file.viaShortcutId);
  });

  it("lists up to 50 folders per query", async () => {
    const generated = generateTree(env.fake.tree, { files: 120, size: 16, nonImages: 1, folders: 120 });
    const events = await collectEvents(walkFolder(env.drive, { id: generated.rootId }));
    expect(files(events)).toHaveLength(120);
    expect(files(events).every((event) => /^Folder 1\.\d+$/.test(event.folderPath))).toBe(true);
    expect(env.fake.stats.snapshot().byRoute.list).toBe(1 + 3); // the root, then 50 + 50 + 20 folders
  });

  it("lists each folder of a batch alone when the batch comes back empty, and stops batching if they are not", async () => {
    const generated = generateTree(env.fake.tree, { files: 120, size: 16, nonImages: 1, folders: 120 });
    // Drive's batched-query bug: an empty, final first page for a batch holding this folder.
    env.fake.faults.add({
      routes: ["list"],
      fileId: generated.folderIds[0]!,
      pageFiles: 0,
      endListing: true,
      times: 1,
    });
    const events = await collectEvents(walkFolder(env.drive, { id: generated.rootId }));
    const ids = files(events).map((event) => event.file.id);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    // The root, the empty batch, its 50 folders alone, then the other 70 one by one.
    expect(env.fake.stats.snapshot().byRoute.list).toBe(1 + 1 + 50 + 70);
  });

  it("keeps batching when a batch's folders really are empty", async () => {
    const root = env.fake.tree.addFolder({ name: "Many empty" });
    for (let i = 0; i < 60; i++) env.fake.tree.addFolder({ parentId: root, name: `Empty ${i}` });
    const events = await collectEvents(walkFolder(env.drive, { id: root }));
    expect(events.filter((event) => event.kind === "folder-listed")).toHaveLength(61);
    // The root, a batch of 50 and its 50 checks, then a batch of 10 and its 10 checks.
    expect(env.fake.stats.snapshot().byRoute.list).toBe(1 + 1 + 50 + 1 + 10);
  });

  it("stops asking Drive when the caller stops reading, and rejects as aborted when its signal fires", async () => {
    const generated = generateTree(env.fake.tree, { files: 2_500, size: 16, nonImages: 1 });
    for await (const event of walkFolder(env.drive, { id: generated.rootId }, { pageSize: 500 })) {
      expect(event.kind).toBe("file");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(env.fake.stats.snapshot().byRoute.list).toBeLessThanOrEqual(2); // the page read, one prefetched

    const controller = new AbortController();
    const walk = walkFolder(
      env.drive,
      { id: generated.rootId },
      { pageSize: 500, signal: controller.signal },
    );
    const events = collectEvents(
      (async function* () {
        for await (const event of walk) {
          yield event;
          controller.abort();
        }
      })(),
    );
    await expect(events).rejects.toMatchObject({ kind: "aborted" });
  });
});
