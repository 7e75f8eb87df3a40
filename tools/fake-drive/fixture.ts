/**
 * Trees declared as JSON (for the CLI and the control endpoint): nested folders, files (stock or custom
 * images, text, base64 bytes or filler), shortcuts, Docs items and generated subtrees.
 *
 *   [{ "name": "Photos", "resourceKey": true, "children": [
 *      { "type": "file", "name": "a.jpg", "image": "eiffelTower", "size": 500000 },
 *      { "type": "file", "name": "notes.txt", "text": "hello" },
 *      { "type": "shortcut", "name": "link", "targetId": "some-id" },
 *      { "type": "doc", "name": "Plan" },
 *      { "type": "generated", "files": 1000, "size": 200000, "folders": 10, "depth": 2 } ] }]
 */
import { generateTree, type GenerateOptions } from "./generate.ts";
import type { ImageSpec } from "./images.ts";
import { STOCK_IMAGES } from "./stock-images.ts";
import type { FakeTree, ItemSpec } from "./tree.ts";

export interface LoadedFixture {
  /** The top-level items, e.g. the folders whose links a test pastes. */
  roots: Array<{ id: string; name: string; resourceKey?: string }>;
  /** Ids by slash-joined path of names from a root ("Photos/a.jpg"); the first item wins a duplicate path. */
  paths: Record<string, string>;
}

type Node = Record<string, unknown>;

/** Adds a fixture (one node or an array of them) to the tree; throws naming the first bad node. */
export function loadFixture(tree: FakeTree, fixture: unknown): LoadedFixture {
  const nodes = Array.isArray(fixture) ? (fixture as unknown[]) : [fixture];
  const loaded: LoadedFixture = { roots: [], paths: {} };
  // Shortcuts come last so they may point at any item of the fixture by id.
  const shortcuts: Array<() => void> = [];
  const add = (value: unknown, parentId: string | undefined, parentPath: string): string => {
    const node = asNode(value, parentPath);
    const path =
      parentPath === "" ? text(node, "name", parentPath) : `${parentPath}/${text(node, "name", parentPath)}`;
    const type = node.type ?? (node.children !== undefined ? "folder" : undefined);
    const common = itemSpec(node, parentId, path);
    let id: string;
    switch (type) {
      case "folder":
        id = tree.addFolder(common);
        for (const child of list(node, "children", path)) add(child, id, path);
        break;
      case "file":
        id = tree.addFile({ ...common, ...fileFields(node, path) });
        break;
      case "doc":
        id = tree.addDoc({ ...common, mimeType: optionalText(node, "mimeType", path) });
        break;
      case "shortcut":
        id = ""; // added (and its path recorded) once every other item exists
        shortcuts.push(() => {
          const shortcutId = tree.addShortcut({
            ...common,
            targetId: text(node, "targetId", path),
            targetMimeType: optionalText(node, "targetMimeType", path),
          });
          loaded.paths[path] ??= shortcutId;
        });
        break;
      case "generated":
        id = generateTree(tree, {
          ...(node as unknown as GenerateOptions),
          name: common.name,
          parentId,
        }).rootId;
        break;
      default:
        throw new Error(
          `${path}: type must be folder, file, doc, shortcut or generated, got ${String(node.type)}`,
        );
    }
    if (id !== "") loaded.paths[path] ??= id;
    return id;
  };
  for (const node of nodes) {
    const id = add(node, undefined, "");
    const item = id === "" ? undefined : tree.get(id);
    if (item)
      loaded.roots.push({
        id,
        name: item.name,
        ...(item.resourceKey ? { resourceKey: item.resourceKey } : {}),
      });
  }
  for (const addShortcut of shortcuts) addShortcut();
  return loaded;
}

function itemSpec(node: Node, parentId: string | undefined, path: string): ItemSpec {
  const resourceKey = node.resourceKey;
  if (resourceKey !== undefined && resourceKey !== true && typeof resourceKey !== "string") {
    throw new Error(`${path}: resourceKey is a string or true`);
  }
  return {
    name: text(node, "name", path),
    parentId,
    id: optionalText(node, "id", path),
    resourceKey,
    createdTime: optionalText(node, "createdTime", path),
    modifiedTime: optionalText(node, "modifiedTime", path),
    trashed: optionalBoolean(node, "trashed", path),
    description: optionalText(node, "description", path),
  };
}

function fileFields(node: Node, path: string): Omit<Parameters<FakeTree["addFile"]>[0], "name"> {
  const image = node.image === undefined ? undefined : imageSpec(node.image, path);
  const textContent = optionalText(node, "text", path);
  const base64 = optionalText(node, "base64", path);
  const bytes =
    textContent !== undefined
      ? Buffer.from(textContent)
      : base64 !== undefined
        ? Buffer.from(base64, "base64")
        : undefined;
  const size = node.size;
  if (size !== undefined && typeof size !== "number") throw new Error(`${path}: size is a number of bytes`);
  return {
    image,
    bytes,
    size,
    mimeType: optionalText(node, "mimeType", path) ?? (textContent !== undefined ? "text/plain" : undefined),
    canDownload: optionalBoolean(node, "canDownload", path),
    legacyChecksums: optionalBoolean(node, "legacyChecksums", path),
  };
}

/** A stock look by name, or a custom one; a stock look's fields may be overridden. */
function imageSpec(value: unknown, path: string): ImageSpec {
  if (typeof value === "string") {
    const stock = STOCK_IMAGES[value as keyof typeof STOCK_IMAGES] as ImageSpec | undefined;
    if (!stock)
      throw new Error(`${path}: image "${value}" is none of ${Object.keys(STOCK_IMAGES).join(", ")}`);
    return stock;
  }
  const spec = asNode(value, path);
  if (
    (spec.format !== "jpeg" && spec.format !== "png") ||
    typeof spec.width !== "number" ||
    typeof spec.height !== "number"
  ) {
    throw new Error(
      `${path}: image is a stock name or { format: "jpeg" | "png", width, height, color?, photo? }`,
    );
  }
  return spec as unknown as ImageSpec;
}

function asNode(value: unknown, path: string): Node {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${path || "fixture"}: expected an object, got ${JSON.stringify(value)}`);
  }
  return value as Node;
}

function text(node: Node, field: string, path: string): string {
  const value = node[field];
  if (typeof value !== "string")
    throw new Error(`${path || "fixture"}: ${field} is a string, got ${JSON.stringify(value)}`);
  return value;
}

function optionalText(node: Node, field: string, path: string): string | undefined {
  return node[field] === undefined ? undefined : text(node, field, path);
}

function optionalBoolean(node: Node, field: string, path: string): boolean | undefined {
  const value = node[field];
  if (value !== undefined && typeof value !== "boolean")
    throw new Error(`${path}: ${field} is true or false`);
  return value;
}

function list(node: Node, field: string, path: string): unknown[] {
  const value = node[field] ?? [];
  if (!Array.isArray(value)) throw new Error(`${path}: ${field} is an array`);
  return value as unknown[];
}
