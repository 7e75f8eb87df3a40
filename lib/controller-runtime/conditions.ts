/** metav1.Condition, as it appears in a status (`listType=map`, keyed by `type`). */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  /** A stable CamelCase reason, for machines. */
  reason: string;
  /** Details for humans. */
  message: string;
  /** The `.metadata.generation` this condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339, whole seconds (metav1.Time's precision). */
  lastTransitionTime: string;
}

/** A condition to set; `lastTransitionTime` is derived. */
export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

/**
 * The conditions with `update` applied, as apimachinery's meta.SetStatusCondition does: a new type is
 * appended; an existing one keeps its position and its lastTransitionTime unless its status changes, while
 * reason, message and observedGeneration always take the new values. `conditions` is not modified.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === update.type);
  const existing = list[index];
  if (existing === undefined) return [...list, { ...update, lastTransitionTime: metav1Time(now) }];
  list[index] = {
    ...update,
    lastTransitionTime: existing.status === update.status ? existing.lastTransitionTime : metav1Time(now),
  };
  return list;
}

/** The condition of this type, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

// metav1.Time serializes whole seconds; writing milliseconds would make every comparison with a read-back differ.
function metav1Time(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}
