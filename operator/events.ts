import type { EventRecorder, EventType } from "../lib/controller-runtime/index.ts";
import {
  ConditionType,
  Reason,
  type ImageImportStatus,
  type StoredImageImport,
} from "../lib/imageimport/index.ts";

/**
 * Events: milestones only (never one per file), each named by a stable reason from reasons.ts. Most follow
 * from the conditions: an Event is recorded when a condition appears or changes status or reason.
 */

export interface MilestoneEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** Reasons that tell the user something is wrong. */
const warningReasons = new Set<string>([
  Reason.CompletedWithFailures,
  Reason.DeadlineExceeded,
  Reason.TooManyFailedFiles,
  Reason.SecretNotFound,
  Reason.SecretKeyMissing,
  Reason.ApiKeyMissing,
  Reason.ApiKeyInvalid,
  Reason.FolderNotFound,
  Reason.NotAFolder,
  Reason.DriveQuotaExceeded,
  Reason.DriveUnavailable,
  Reason.BucketNotReachable,
]);

/** Transitions that are not milestones: the import merely running, or a source that was never broken. */
function isMilestone(type: string, status: string, reason: string, hadCondition: boolean): boolean {
  if (type === ConditionType.Succeeded && status === "Unknown") {
    return reason !== Reason.Running && reason !== Reason.Pending;
  }
  if ((type === ConditionType.SourceReady || type === ConditionType.DestinationReady) && status === "True") {
    return hadCondition;
  }
  if (type === ConditionType.Suspended && status === "False") return reason === Reason.Resumed;
  return true;
}

/** The Events the step from `before` to `after` deserves. */
export function milestoneEvents(
  before: ImageImportStatus | undefined,
  after: ImageImportStatus,
): MilestoneEvent[] {
  const events: MilestoneEvent[] = [];
  for (const condition of after.conditions ?? []) {
    const previous = before?.conditions?.find((c) => c.type === condition.type);
    if (
      previous !== undefined &&
      previous.status === condition.status &&
      previous.reason === condition.reason
    )
      continue;
    if (!isMilestone(condition.type, condition.status, condition.reason, previous !== undefined)) continue;
    events.push({
      type: warningReasons.has(condition.reason) ? "Warning" : "Normal",
      reason: condition.reason,
      message: condition.message,
    });
  }
  const syncsBefore = before?.sync?.syncs ?? 0;
  const syncsAfter = after.sync?.syncs ?? 0;
  if (syncsAfter > syncsBefore) {
    events.push({
      type: "Normal",
      reason: Reason.SyncCompleted,
      message: `re-sync ${syncsAfter} finished: ${after.progress?.succeeded ?? 0} files imported, ${after.progress?.unchanged ?? 0} unchanged`,
    });
  }
  return events;
}

/** Records Events about ImageImports; never throws (the recorder logs its own failures). */
export class ImportEvents {
  readonly #recorder: EventRecorder;

  constructor(recorder: EventRecorder) {
    this.#recorder = recorder;
  }

  /** The milestones between the status the object had and the one just written. */
  async milestones(object: StoredImageImport, after: ImageImportStatus): Promise<void> {
    for (const event of milestoneEvents(object.status, after)) {
      await this.record(object, event);
    }
  }

  async record(object: StoredImageImport, event: MilestoneEvent): Promise<void> {
    await this.#recorder.record(object, event.type, event.reason, event.message);
  }
}
