import type { SourceProblem } from "../lib/drive/index.ts";
import { ConditionType, Reason } from "../lib/imageimport/index.ts";
import type { ApiKeyResolution } from "./credentials.ts";
import type { StatusDraft } from "./status.ts";

/** Whether the Drive source can be read. Owns the SourceReady condition. */

/** A source problem that no waiting fixes: the import fails with it. */
export function isPermanent(problem: SourceProblem): boolean {
  return !problem.retryable;
}

/** SourceReady=False for a key that could not be resolved (the Secret or the default key is missing). */
export function applyMissingKey(draft: StatusDraft, resolution: ApiKeyResolution & { ok: false }): void {
  draft.condition(ConditionType.SourceReady, "False", resolution.reason, resolution.message);
}

/** SourceReady from what listing learned: False with Drive's problem, True when the folder reads. */
export function applySourceCondition(
  draft: StatusDraft,
  problem: SourceProblem | undefined,
  retryAt?: number,
): void {
  if (problem === undefined) {
    draft.condition(
      ConditionType.SourceReady,
      "True",
      Reason.SourceReady,
      "the folder can be read with the API key",
    );
    return;
  }
  const retry =
    problem.retryable && retryAt !== undefined
      ? `; listing resumes after ${new Date(retryAt).toISOString()}`
      : "";
  draft.condition(ConditionType.SourceReady, "False", problem.reason, `${problem.message}${retry}`);
}
