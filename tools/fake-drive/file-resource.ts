/**
 * Drive's File resource for an item, built field by field so a listing computes only what `fields` asks
 * for (checksums, in particular, only when requested).
 */
import { hash } from "node:crypto";
import type { ChecksumAlgorithm, ChecksumCalculator } from "./checksums.ts";
import { contentImageMetadata, contentLayout, contentSize } from "./content.ts";
import { parseFields, project, type Schema, type Selection } from "./fields.ts";
import { FOLDER_MIME_TYPE, SHORTCUT_MIME_TYPE, type DriveItem, type FakeTree } from "./tree.ts";

/** What Drive returns for a file when the request names no `fields`. */
export const DEFAULT_FILE_SELECTION: Selection = parseFields("kind,id,name,mimeType");

function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

const CAPABILITY_NAMES = words(`
  canAcceptOwnership canAccessViaGenAi canAddChildren canAddFolderFromAnotherDrive canAddMyDriveParent
  canChangeCopyRequiresWriterPermission canChangeItemDownloadRestriction canChangeSecurityUpdateEnabled
  canChangeViewersCanCopyContent canComment canCopy canDelete canDeleteChildren
  canDisableInheritedPermissions canDownload canEdit canEnableInheritedPermissions canListChildren
  canModifyContent canModifyContentRestriction canModifyEditorContentRestriction canModifyLabels
  canModifyOwnerContentRestriction canMoveChildrenOutOfDrive canMoveChildrenOutOfTeamDrive
  canMoveChildrenWithinDrive canMoveChildrenWithinTeamDrive canMoveItemIntoTeamDrive canMoveItemOutOfDrive
  canMoveItemOutOfTeamDrive canMoveItemWithinDrive canMoveItemWithinTeamDrive canMoveTeamDriveItem
  canReadDrive canReadLabels canReadRevisions canReadTeamDrive canRemoveChildren
  canRemoveContentRestriction canRemoveMyDriveParent canRename canShare canStartApproval canTrash
  canTrashChildren canUntrash
`);

const leaves = (names: string[]): Schema => Object.fromEntries(names.map((name) => [name, "leaf"]));

/** Drive v3's File fields (from the client's Schema$File); requesting any other name is a 400. */
export const FILE_SCHEMA: Schema = {
  ...leaves(
    words(`
    copyRequiresWriterPermission createdTime description driveId explicitlyTrashed fileExtension
    folderColorRgb fullFileExtension hasAugmentedPermissions hasThumbnail headRevisionId iconLink id
    inheritedPermissionsDisabled isAppAuthorized kind md5Checksum mimeType modifiedByMe modifiedByMeTime
    modifiedTime name originalFilename ownedByMe parents permissionIds quotaBytesUsed resourceKey
    sha1Checksum sha256Checksum shared sharedWithMeTime size spaces starred teamDriveId thumbnailLink
    thumbnailVersion trashed trashedTime version viewedByMe viewedByMeTime viewersCanCopyContent
    webContentLink webViewLink writersCanShare
  `),
  ),
  ...Object.fromEntries(
    words(`
    appProperties clientEncryptionDetails contentHints contentRestrictions downloadRestrictions exportLinks
    labelInfo lastModifyingUser owners permissions properties sharingUser trashingUser
  `).map((name) => [name, "any"]),
  ),
  capabilities: leaves(CAPABILITY_NAMES),
  imageMediaMetadata: {
    ...leaves(
      words(`
      aperture cameraMake cameraModel colorSpace exposureBias exposureMode exposureTime flashUsed
      focalLength height isoSpeed lens maxApertureValue meteringMode rotation sensor subjectDistance time
      whiteBalance width
    `),
    ),
    location: leaves(["altitude", "latitude", "longitude"]),
  },
  linkShareMetadata: leaves(["securityUpdateEligible", "securityUpdateEnabled"]),
  shortcutDetails: leaves(["targetId", "targetMimeType", "targetResourceKey"]),
  videoMediaMetadata: leaves(["durationMillis", "height", "width"]),
};

const sharedCapabilities = new Map<string, object>();

/**
 * A link viewer's capabilities: none of an owner's, only listing, downloading and copying as allowed.
 * Few combinations exist, so each is one shared object rather than 46 fields built per file.
 */
function capabilities(item: Readonly<DriveItem>): object {
  const isFolder = item.mimeType === FOLDER_MIME_TYPE;
  const canCopy = item.content !== undefined && item.canDownload;
  const key = `${isFolder}/${canCopy}/${item.canDownload}`;
  let found = sharedCapabilities.get(key);
  if (!found) {
    const none = Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, false]));
    found = Object.freeze({ ...none, canDownload: item.canDownload, canCopy, canListChildren: isFolder });
    sharedCapabilities.set(key, found);
  }
  return found;
}

/** What the field getters of one resource read: the item, the tree, and the checksums asked for. */
interface FieldSource {
  item: Readonly<DriveItem>;
  tree: FakeTree;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

const CHECKSUM_FIELDS: Record<string, ChecksumAlgorithm> = {
  md5Checksum: "md5",
  sha1Checksum: "sha1",
  sha256Checksum: "sha256",
};

type Getter = (source: FieldSource) => unknown;

const GETTERS: Record<string, Getter> = {
  kind: () => "drive#file",
  id: ({ item }) => item.id,
  name: ({ item }) => item.name,
  mimeType: ({ item }) => item.mimeType,
  description: ({ item }) => item.description,
  parents: ({ item }) => (item.parentId === undefined ? undefined : [item.parentId]),
  trashed: ({ item }) => item.trashed,
  explicitlyTrashed: ({ item }) => item.explicitlyTrashed,
  starred: () => false,
  spaces: () => ["drive"],
  version: ({ item }) => String(item.revision),
  createdTime: ({ item }) => new Date(item.createdTime).toISOString(),
  modifiedTime: ({ item }) => new Date(item.modifiedTime).toISOString(),
  viewedByMe: () => false,
  modifiedByMe: () => false,
  ownedByMe: () => false,
  shared: () => true,
  writersCanShare: () => true,
  isAppAuthorized: () => false,
  hasAugmentedPermissions: () => false,
  copyRequiresWriterPermission: ({ item }) => !item.canDownload,
  viewersCanCopyContent: ({ item }) => item.canDownload,
  resourceKey: ({ item }) => item.resourceKey,
  linkShareMetadata: ({ item }) =>
    item.resourceKey === undefined
      ? undefined
      : { securityUpdateEligible: true, securityUpdateEnabled: true },
  webViewLink: ({ item }) => webViewLink(item),
  webContentLink: ({ item }) =>
    item.content &&
    withKey(`https://drive.google.com/uc?id=${item.id}&export=download`, item.resourceKey, "&"),
  iconLink: ({ item }) => `https://drive-thirdparty.googleusercontent.com/16/type/${item.mimeType}`,
  hasThumbnail: ({ item }) => item.content !== undefined && contentImageMetadata(item.content) !== undefined,
  originalFilename: ({ item }) => (item.content ? item.name : undefined),
  fullFileExtension: ({ item }) => (item.content ? extension(item.name, "full") : undefined),
  fileExtension: ({ item }) => (item.content ? extension(item.name, "last") : undefined),
  size: ({ item }) => (item.content ? String(contentSize(item.content)) : undefined),
  quotaBytesUsed: ({ item }) => (item.content ? String(contentSize(item.content)) : "0"),
  headRevisionId: ({ item }) =>
    item.content && "0B" + hash("sha256", revisionSeed(item), "base64url").slice(0, 49),
  md5Checksum: ({ checksums }) => checksums.md5,
  sha1Checksum: ({ checksums }) => checksums.sha1,
  sha256Checksum: ({ checksums }) => checksums.sha256,
  imageMediaMetadata: ({ item }) => item.content && contentImageMetadata(item.content),
  shortcutDetails: ({ item, tree }) => {
    if (!item.shortcut) return undefined;
    const target = tree.get(item.shortcut.targetId);
    const targetResourceKey = target ? target.resourceKey : item.shortcut.targetResourceKey;
    return {
      targetId: item.shortcut.targetId,
      targetMimeType: item.shortcut.targetMimeType,
      ...(targetResourceKey === undefined ? {} : { targetResourceKey }),
    };
  },
  exportLinks: ({ item }) => (isDocsEditorItem(item) ? exportLinks(item) : undefined),
  capabilities: ({ item }) => capabilities(item),
};

/** The fields a selection asks for, and the checksums among them; worked out once per request. */
interface FieldPlan {
  names: string[];
  algorithms: ChecksumAlgorithm[];
}

const plans = new WeakMap<Selection, FieldPlan>();
const EVERYTHING: FieldPlan = planFor(Object.keys(GETTERS));

function planOf(selection: Selection): FieldPlan {
  let plan = plans.get(selection);
  if (!plan) {
    plan = planFor([...selection.keys()]);
    plans.set(selection, plan);
  }
  return plan;
}

function planFor(names: string[]): FieldPlan {
  const algorithms = names
    .map((name) => CHECKSUM_FIELDS[name])
    .filter((algorithm) => algorithm !== undefined);
  return { names, algorithms };
}

/** The File resource of an item, with only the selected fields (all of them for `*`). */
export async function fileResource(
  item: Readonly<DriveItem>,
  selection: Selection | undefined,
  tree: FakeTree,
  calculator: ChecksumCalculator,
): Promise<Record<string, unknown>> {
  const everything = selection === undefined || selection.has("*");
  const plan = everything ? EVERYTHING : planOf(selection);
  // Checksums are the only costly fields: compute the ones asked for, in one go, before the rest.
  const algorithms = item.legacyChecksums ? plan.algorithms.filter((a) => a === "md5") : plan.algorithms;
  const checksums =
    item.content && algorithms.length > 0
      ? await calculator.checksums(contentLayout(item.content, revisionSeed(item)), algorithms)
      : {};
  const source: FieldSource = { item, tree, checksums };
  const resource: Record<string, unknown> = {};
  for (const name of plan.names) {
    const value = GETTERS[name]?.(source);
    if (value === undefined) continue;
    const sub = everything ? undefined : selection.get(name);
    resource[name] = sub === undefined ? value : project(value, sub);
  }
  return resource;
}

/** Names one revision of a file's bytes. */
export function revisionSeed(item: Readonly<DriveItem>): string {
  return `${item.id}\n${item.revision}`;
}

function isDocsEditorItem(item: Readonly<DriveItem>): boolean {
  return (
    item.mimeType.startsWith("application/vnd.google-apps.") &&
    item.mimeType !== FOLDER_MIME_TYPE &&
    item.mimeType !== SHORTCUT_MIME_TYPE
  );
}

function exportLinks(item: Readonly<DriveItem>): Record<string, string> {
  const base = `https://docs.google.com/feeds/download/documents/export/Export?id=${item.id}`;
  return { "application/pdf": `${base}&exportFormat=pdf`, "text/plain": `${base}&exportFormat=txt` };
}

function webViewLink(item: Readonly<DriveItem>): string {
  if (item.mimeType === FOLDER_MIME_TYPE) {
    return withKey(`https://drive.google.com/drive/folders/${item.id}`, item.resourceKey, "?");
  }
  if (isDocsEditorItem(item)) {
    return withKey(`https://docs.google.com/document/d/${item.id}/edit?usp=drivesdk`, item.resourceKey, "&");
  }
  return withKey(`https://drive.google.com/file/d/${item.id}/view?usp=drivesdk`, item.resourceKey, "&");
}

function withKey(url: string, resourceKey: string | undefined, separator: "?" | "&"): string {
  return resourceKey === undefined ? url : `${url}${separator}resourcekey=${resourceKey}`;
}

function extension(name: string, which: "full" | "last"): string | undefined {
  const dot = which === "full" ? name.indexOf(".", 1) : name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : undefined;
}
