/**
 * Generated trees for benchmarks and large tests: N files of S bytes spread over F folders D levels deep,
 * mostly real JPEGs and PNGs, optionally with a share of other files, Docs items and shortcuts. Costs no
 * disk and little memory: bytes come from layouts when served.
 */
import { minimumImageSize, type ImageSpec } from "./images.ts";
import { hashString, seededFloat } from "./random.ts";
import { STOCK_IMAGES } from "./stock-images.ts";
import type { FakeTree } from "./tree.ts";

export interface GenerateOptions {
  files: number;
  /** Bytes per file; images are padded to exactly this. */
  size: number;
  /** Folders under the root (0: every file in the root). */
  folders?: number;
  /** Levels of folders under the root (at most `folders`). */
  depth?: number;
  /** Name of the root folder. */
  name?: string;
  /** Where the root goes; omitted: a top-level shared folder. */
  parentId?: string;
  /** Give the root folder a resource key (drawn when `true`). */
  resourceKey?: string | true;
  /** Shares of the files (0..1) that are other files, Docs items and shortcuts to earlier files. */
  nonImages?: number;
  docs?: number;
  shortcuts?: number;
  /** Varies which look each file gets. */
  seed?: string;
  /** createdTime of the first file; each next one is a minute later. */
  startTime?: string;
}

export interface GeneratedTree {
  rootId: string;
  rootResourceKey: string | undefined;
  /** Every generated folder under the root, level by level. */
  folderIds: string[];
  counts: { images: number; nonImages: number; docs: number; shortcuts: number };
}

const DEFAULT_START = "2024-01-01T00:00:00.000Z";

/** Adds a generated tree; fast enough for 100,000 files (a few hundred ms). */
export function generateTree(tree: FakeTree, options: GenerateOptions): GeneratedTree {
  const { files, size, folders = 0, depth = folders > 0 ? 1 : 0 } = options;
  checkCount("files", files);
  checkCount("size", size);
  checkCount("folders", folders);
  checkCount("depth", depth);
  if (folders > 0 && (depth < 1 || depth > folders))
    throw new Error(`depth must be 1 to ${folders}, got ${depth}`);
  const shares = {
    docs: options.docs ?? 0,
    shortcuts: options.shortcuts ?? 0,
    nonImages: options.nonImages ?? 0,
  };
  if (
    Object.values(shares).some((share) => !(share >= 0)) ||
    shares.docs + shares.shortcuts + shares.nonImages > 1
  ) {
    throw new Error(`shares must be ≥ 0 and add up to at most 1, got ${JSON.stringify(shares)}`);
  }
  const looks = Object.values(STOCK_IMAGES).filter((spec) => minimumImageSize(spec) <= size);
  if (looks.length === 0 && shares.docs + shares.shortcuts + shares.nonImages < 1) {
    throw new Error(`${size} bytes is too small for any image (the smallest needs ${smallestImage()} bytes)`);
  }

  const rootId = tree.addFolder({
    name: options.name ?? `generated ${files} x ${size} B`,
    parentId: options.parentId,
    resourceKey: options.resourceKey,
  });
  const folderIds = addFolders(tree, rootId, folders, depth);
  const random = seededFloat(hashString(options.seed ?? "generated"));
  const start = Date.parse(options.startTime ?? DEFAULT_START);
  const counts = { images: 0, nonImages: 0, docs: 0, shortcuts: 0 };
  let lastFileId: string | undefined;

  for (let index = 0; index < files; index++) {
    const parentId = folderIds.length === 0 ? rootId : folderIds[index % folderIds.length]!;
    const number = String(index + 1).padStart(6, "0");
    const base = { parentId, createdTime: start + index * 60_000 };
    const draw = random();
    if (draw < shares.docs) {
      tree.addDoc({ ...base, name: `Notes ${number}` });
      counts.docs++;
    } else if (draw < shares.docs + shares.shortcuts && lastFileId !== undefined) {
      tree.addShortcut({ ...base, name: `Shortcut ${number}`, targetId: lastFileId });
      counts.shortcuts++;
    } else if (draw < shares.docs + shares.shortcuts + shares.nonImages || looks.length === 0) {
      lastFileId = tree.addFile({ ...base, name: `data_${number}.bin`, size });
      counts.nonImages++;
    } else {
      const look: ImageSpec = looks[Math.floor(random() * looks.length)]!;
      const name = look.format === "jpeg" ? `IMG_${number}.jpg` : `Screenshot_${number}.png`;
      lastFileId = tree.addFile({ ...base, name, image: look, size });
      counts.images++;
    }
  }
  return { rootId, rootResourceKey: tree.get(rootId)?.resourceKey, folderIds, counts };
}

/** `count` folders over `depth` levels: level L's folders hang round-robin under level L-1's. */
function addFolders(tree: FakeTree, rootId: string, count: number, depth: number): string[] {
  const ids: string[] = [];
  let previousLevel = [rootId];
  for (let level = 1; level <= depth; level++) {
    const levelCount = Math.floor((count * level) / depth) - Math.floor((count * (level - 1)) / depth);
    const current: string[] = [];
    for (let i = 0; i < levelCount; i++) {
      const parentId = previousLevel[i % previousLevel.length]!;
      current.push(tree.addFolder({ name: `Folder ${level}.${i + 1}`, parentId }));
    }
    ids.push(...current);
    previousLevel = current;
  }
  return ids;
}

function smallestImage(): number {
  return Math.min(...Object.values(STOCK_IMAGES).map((spec) => minimumImageSize(spec)));
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number ≥ 0, got ${value}`);
}
