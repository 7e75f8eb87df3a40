import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";

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
 * the updated object. The content type is explicit because client-node's default for patches is
 * `application/json-patch+json`, which wants a list of operations, and strategic merge does not exist for CRs.
 *
 * Merge-patch semantics: objects merge key by key, `null` deletes a key, arrays are replaced whole, so pass
 * the complete `conditions` list (see `setCondition`). No resourceVersion is sent, so the write never
 * conflicts (409); last writer wins, which is safe because only the leader writes status, one reconcile per
 * key at a time, and reconcile recomputes status from the world each time.
 */
export async function patchStatus(
  api: CustomObjectsApi,
  ref: CustomResourceRef,
  status: object,
): Promise<object> {
  const options = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  const { group, version, plural, namespace, name } = ref;
  const body = { status };
  return namespace === undefined
    ? (api.patchClusterCustomObjectStatus({ group, version, plural, name, body }, options) as Promise<object>)
    : (api.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace, name, body },
        options,
      ) as Promise<object>);
}
