import type { AddressInfo } from "node:net";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
} from "@kubernetes/client-node";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { buildApp, type AppSettings } from "../../api/app.ts";
import { appSettingsFrom } from "../../api/config.ts";
import {
  connectDatabase,
  migrateToLatest,
  type Database,
  type NewImage,
  type NewImportFile,
} from "../../lib/db/index.ts";
import {
  imageImportApi,
  type ImageImportStatus,
  type StoredImageImport,
} from "../../lib/imageimport/index.ts";
import {
  adminKubeConfig,
  createDatabase,
  kubeClientWithToken,
  requireEnv,
  stackS3Client,
  uniqueName,
} from "../support/stack.ts";
import { ensureImageImportApi } from "../support/image-import-api.ts";

const { group, version, plural } = imageImportApi;
export const folderUrl = "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOpQ";

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen in time`);
}

export async function createNamespace(admin: KubeConfig, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** A ServiceAccount and a fresh token for it, issued by the real API server. */
export async function serviceAccountToken(
  admin: KubeConfig,
  namespace: string,
  name: string,
): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const request = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (token === undefined) throw new Error(`no token for ${namespace}/${name}`);
  return token;
}

/** Waits until RBAC (whose caches lag a little) says `user` may `verb` imageimports in `namespace`. */
async function waitUntilAllowed(
  admin: KubeConfig,
  user: string,
  verb: string,
  namespace?: string,
): Promise<void> {
  const reviews = admin.makeApiClient(AuthorizationV1Api);
  await eventually(`${user} allowed to ${verb}`, async () => {
    const review = await reviews.createSubjectAccessReview({
      body: {
        spec: {
          user,
          groups: ["system:serviceaccounts", "system:authenticated"],
          resourceAttributes: {
            group,
            resource: plural,
            verb,
            ...(namespace === undefined ? {} : { namespace }),
          },
        },
      },
    });
    return review.status?.allowed === true ? true : undefined;
  });
}

/** A caller: a ServiceAccount whose Role grants `verbs` on imageimports in `namespace` (none: no Role). */
export async function callerWith(
  admin: KubeConfig,
  namespace: string,
  name: string,
  verbs: string[],
): Promise<string> {
  const token = await serviceAccountToken(admin, namespace, name);
  if (verbs.length === 0) return token;
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name }, rules: [{ apiGroups: [group], resources: [plural], verbs }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  });
  for (const verb of verbs)
    await waitUntilAllowed(admin, `system:serviceaccount:${namespace}:${name}`, verb, namespace);
  return token;
}

/**
 * The API's own identity, as the chart would make it: a ServiceAccount bound to a ClusterRole that may
 * review tokens and access, and manage ImageImports. Nothing more, so the tests prove it is enough.
 */
async function apiIdentity(admin: KubeConfig): Promise<{ token: string; cleanup: () => Promise<void> }> {
  const namespace = await createNamespace(admin, "api-system");
  const token = await serviceAccountToken(admin, namespace, "imagesync-api");
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const roleName = uniqueName("imagesync-api");
  await rbac.createClusterRole({
    body: {
      metadata: { name: roleName },
      rules: [
        { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
        {
          apiGroups: [group],
          resources: [plural],
          verbs: ["get", "list", "watch", "create", "patch", "delete"],
        },
      ],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: roleName },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
      subjects: [{ kind: "ServiceAccount", name: "imagesync-api", namespace }],
    },
  });
  await waitUntilAllowed(admin, `system:serviceaccount:${namespace}:imagesync-api`, "watch");
  return {
    token,
    cleanup: async () => {
      await rbac.deleteClusterRoleBinding({ name: roleName }).catch(() => undefined);
      await rbac.deleteClusterRole({ name: roleName }).catch(() => undefined);
    },
  };
}

export const staticToken = "static-token-for-api-integration-tests-0123456789";

export interface RunningApi {
  url: string;
  app: FastifyInstance;
  db: Kysely<Database>;
  s3: S3Client;
  bucket: string;
  admin: KubeConfig;
  close: () => Promise<void>;
}

/**
 * The API on a loopback port, wired to the real stack: its own database (migrated), its own bucket,
 * its own ServiceAccount identity. `settings` overrides the defaults a test cares about; `broken`
 * points the API at a database or Kubernetes API that does not answer.
 */
export async function startApi(
  settings: Partial<AppSettings> = {},
  broken: { databaseUrl?: string; kubernetesServer?: string } = {},
): Promise<RunningApi> {
  const admin = adminKubeConfig();
  await ensureImageImportApi();
  const identity = await apiIdentity(admin);
  const kube = kubeClientWithToken(identity.token, broken.kubernetesServer);
  const db = connectDatabase({ url: broken.databaseUrl ?? (await createDatabase("api")), maxConnections: 5 });
  if (broken.databaseUrl === undefined) await migrateToLatest(db);
  const s3 = stackS3Client({ checksums: "WHEN_REQUIRED" });
  const bucket = uniqueName("api");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const app = await buildApp({
    settings: {
      ...appSettingsFrom({
        LOG_LEVEL: "error",
        API_STATIC_TOKEN: staticToken,
        API_RATE_LIMIT_PER_MINUTE: "0",
      }),
      ...settings,
    },
    db,
    kube,
    s3,
    storage: { endpoint: requireEnv("S3_ENDPOINT"), region: requireEnv("S3_REGION"), forcePathStyle: true },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    s3,
    bucket,
    admin,
    close: async () => {
      await app.close();
      await db.destroy();
      s3.destroy();
      kube.close();
      await identity.cleanup();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON (or the text when it is not JSON); tests assert on its shape. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One HTTP call to the API, as a client makes it. */
export async function call(
  api: Pick<RunningApi, "url">,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (metrics, docs): the text is the body.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Writes an ImageImport's status as the operator would (merge patch on the status subresource). */
export async function writeStatus(
  admin: KubeConfig,
  namespace: string,
  name: string,
  status: ImageImportStatus,
): Promise<StoredImageImport> {
  return (await admin
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name, body: { status } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as StoredImageImport;
}

export async function readImport(
  admin: KubeConfig,
  namespace: string,
  name: string,
): Promise<StoredImageImport> {
  return (await admin
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ group, version, namespace, plural, name })) as StoredImageImport;
}

/** Creates an ImageImport directly (as kubectl would), for tests about reading and acting on one. */
export async function createImport(
  admin: KubeConfig,
  namespace: string,
  name: string,
): Promise<StoredImageImport> {
  return (await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group,
    version,
    namespace,
    plural,
    body: {
      apiVersion: imageImportApi.apiVersion,
      kind: imageImportApi.kind,
      metadata: { name },
      spec: { source: { googleDrive: { folderUrl } } },
    },
  })) as StoredImageImport;
}

/** The operator's row for an import (it writes one when it first reconciles). */
export async function recordImport(
  db: Kysely<Database>,
  row: {
    uid: string;
    namespace: string;
    name: string;
    state?: Database["imports"]["state"];
    created_at?: Date;
  },
  bucket = "imagesync",
): Promise<void> {
  await db
    .insertInto("imports")
    .values({
      uid: row.uid,
      namespace: row.namespace,
      name: row.name,
      source: "google-drive",
      folder_id: "1AbCdEfGhIjKlMnOpQ",
      bucket,
      prefix: `${row.namespace}/${row.name}/`,
      state: row.state ?? "running",
      ...(row.created_at === undefined ? {} : { created_at: row.created_at }),
    })
    .execute();
}

export type FileSeed = Partial<NewImportFile> & Pick<NewImportFile, "file_id" | "state">;

/** Per-file rows as the operator and workers leave them. */
export async function recordFiles(db: Kysely<Database>, importUid: string, files: FileSeed[]): Promise<void> {
  await db
    .insertInto("import_files")
    .values(
      files.map((file) => ({
        import_uid: importUid,
        name: `${file.file_id}.jpg`,
        folder_path: "",
        mime_type: "image/jpeg",
        object_key: `k/${file.file_id}.jpg`,
        ...file,
      })),
    )
    .execute();
}

/** Inserts an image row and gives back its id (pg returns int8 as text; lib/db's column type hides that). */
export async function insertImage(db: Kysely<Database>, row: NewImage): Promise<string> {
  const inserted = await db.insertInto("images").values(row).returning("id").executeTakeFirstOrThrow();
  return inserted.id as unknown as string;
}

/** An image row as a worker writes it, with defaults for what a test does not care about. */
export function imageRow(
  importUid: string,
  bucket: string,
  n: number,
  overrides: Partial<NewImage> = {},
): NewImage {
  return {
    source: "google-drive",
    source_id: `file-${n}`,
    import_uid: importUid,
    name: `photo-${n}.jpg`,
    folder_path: "",
    mime_type: "image/jpeg",
    size: 1000 + n,
    md5: "d41d8cd98f00b204e9800998ecf8427e",
    sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    bucket,
    object_key: `photos/file-${n}-photo-${n}.jpg`,
    ...overrides,
  };
}
