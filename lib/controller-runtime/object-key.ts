import type { KubernetesObject } from "@kubernetes/client-node";

/** The queue and cache key of an object: `namespace/name`, or `name` for a cluster-scoped object. */
export function objectKey(object: KubernetesObject): string {
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace;
  return namespace === undefined || namespace === "" ? name : `${namespace}/${name}`;
}

/** The namespace (absent for cluster-scoped objects) and name encoded in a key from `objectKey`. */
export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash === -1 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
