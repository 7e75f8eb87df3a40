import { ConditionType, Reason, type StoredImageImport } from "../lib/imageimport/index.ts";
// object-key.ts itself, not the index: the index also loads the AWS SDK, which the operator needs only
// for the optional bucket check (bucket-check.ts, loaded on demand).
import { defaultObjectPrefix } from "../lib/storage/object-key.ts";
import type { ImportDestination } from "./import-record.ts";
import type { StatusDraft } from "./status.ts";

/** Where an import writes, and whether the bucket can be reached. Owns status.destination and DestinationReady. */

/** spec.destination with the installation's defaults applied. */
export function destinationOf(object: StoredImageImport, defaultBucket: string): ImportDestination {
  const { namespace, name } = object.metadata;
  const spec = object.spec.destination ?? {};
  return {
    bucket: spec.bucket ?? defaultBucket,
    prefix:
      spec.prefix === undefined || spec.prefix === "" ? defaultObjectPrefix(namespace, name) : spec.prefix,
  };
}

/** Why a bucket cannot be written, or undefined when it can (see bucket-check.ts). */
export type BucketCheck = (bucket: string) => Promise<string | undefined>;

/** Sets DestinationReady from a check's answer; returns whether the destination is usable. */
export function applyDestinationCondition(
  draft: StatusDraft,
  bucket: string,
  problem: string | undefined,
): boolean {
  if (problem !== undefined) {
    draft.condition(ConditionType.DestinationReady, "False", Reason.BucketNotReachable, problem);
    return false;
  }
  draft.condition(
    ConditionType.DestinationReady,
    "True",
    Reason.DestinationReady,
    `bucket "${bucket}" answers`,
  );
  return true;
}
