/** A small nested folder of real photos and screenshots (plus a Doc, a text file and a shortcut) for demos. */
import { STOCK_IMAGES } from "./stock-images.ts";
import type { FakeTree } from "./tree.ts";

export interface DemoFolder {
  rootId: string;
  folderIds: { holiday: string; day2: string; screenshots: string };
  /** The downloadable images, by file name. */
  imageIds: Record<string, string>;
  docId: string;
  textFileId: string;
  shortcutId: string;
}

/** Adds the demo folder ("ImageSync demo" unless named otherwise) as a top-level shared folder. */
export function seedDemoFolder(
  tree: FakeTree,
  options: { name?: string; parentId?: string } = {},
): DemoFolder {
  const rootId = tree.addFolder({ name: options.name ?? "ImageSync demo", parentId: options.parentId });
  const holiday = tree.addFolder({ name: "Holiday 2023", parentId: rootId });
  const day2 = tree.addFolder({ name: "Day 2", parentId: holiday });
  const screenshots = tree.addFolder({ name: "Screenshots", parentId: rootId });
  const imageIds: Record<string, string> = {};
  const image = (parentId: string, name: string, look: keyof typeof STOCK_IMAGES, size: number): string =>
    (imageIds[name] = tree.addFile({ parentId, name, image: STOCK_IMAGES[look], size }));

  image(holiday, "eiffel-tower.jpg", "eiffelTower", 1_200_000);
  image(holiday, "statue-of-liberty.jpg", "libertyPortrait", 900_000);
  image(day2, "tokyo-tower.jpg", "tokyoTower", 2_500_000);
  const park = image(day2, "park.jpg", "parkHd", 300_000);
  image(day2, "upside-down.jpg", "upsideDown", 150_000);
  image(screenshots, "dashboard.png", "screenshot", 120_000);
  image(screenshots, "wallpaper.png", "wallpaper", 400_000);
  image(rootId, "scan-001.jpg", "scan", 60_000);
  const docId = tree.addDoc({ parentId: rootId, name: "Trip plan" });
  const textFileId = tree.addFile({
    parentId: rootId,
    name: "notes.txt",
    mimeType: "text/plain",
    bytes: Buffer.from("Photos from the 2023 trip. Day 2 was Tokyo.\n"),
  });
  const shortcutId = tree.addShortcut({ parentId: rootId, name: "Best photo", targetId: park });
  return { rootId, folderIds: { holiday, day2, screenshots }, imageIds, docId, textFileId, shortcutId };
}
