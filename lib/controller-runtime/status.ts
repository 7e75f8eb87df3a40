import type { KubeClient } from "./kube-client.ts";

/** A custom resource, by API coordinates; `namespace` is absent for a cluster-scoped resource. */
export interface CustomResourceRef {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name: string;
}

/**
 * Writes `status` of a custom resource through its `/status` subresource as a JSON merge patch and returns
 * the updated object (strategic merge does not exist for CRs).
 *
 * Merge-patch semantics: objects merge key by key, `null` deletes a key, arrays are replaced whole, so pass
 * the complete `conditions` list (see `setCondition`). No resourceVersion is sent, so the write never
 * conflicts (409); last writer wins, which is safe because only the leader writes status, one reconcile per
 * key at a time, and reconcile recomputes status from the world each time.
 */
export function patchStatus(kube: KubeClient, ref: CustomResourceRef, status: object): Promise<object> {
  return kube.mergePatch(`${customResourcePath(ref)}/status`, { status });
}

/** The URL path of a custom resource (`/apis/group/version[/namespaces/ns]/plural/name`). */
export function customResourcePath(ref: CustomResourceRef): string {
  const { group, version, plural, namespace, name } = ref;
  return `${customResourcesPath({ group, version, plural, namespace })}/${name}`;
}

/** The URL path of a custom resource collection, in one namespace or (without `namespace`) all. */
export function customResourcesPath(ref: Omit<CustomResourceRef, "name">): string {
  const { group, version, plural, namespace } = ref;
  const scope = namespace === undefined ? "" : `/namespaces/${namespace}`;
  return `/apis/${group}/${version}${scope}/${plural}`;
}
