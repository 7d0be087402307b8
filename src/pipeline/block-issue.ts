import type { Pipeline, Stage } from "../config/resolve-pipeline.js";
import { ensureComment } from "../github/ensure-comment.js";
import { swapLabel } from "../github/labels.js";
import type { GitHub, IssueComment, IssueRef } from "../github/types.js";
import { updateStatus } from "../github/update-status.js";

export interface BlockRequest {
  /** Why, in words a person can act on. */
  reason: string;
  /** How to resume; a sensible default names the label to re-apply. */
  hint?: string;
  /** The stage that blocked, when one did. */
  stage?: Stage;
  /** The label to take off (the claim, or the input label that was never claimed). */
  fromLabel: string;
  /** Makes the comment idempotent: a retry edits the same comment. */
  runId: string;
  comments: IssueComment[];
}

/**
 * Ends a run as `block` (docs/architecture.md §1 invariant 5): a comment saying why and how to resume,
 * the status row, then the blocked label in place of `fromLabel` (last, so a crash before it
 * leaves the claim on and the run is retried rather than forgotten).
 */
export async function blockIssue(github: GitHub, ref: IssueRef, pipeline: Pipeline, request: BlockRequest): Promise<void> {
  const { stage, reason, runId } = request;
  const blocked = pipeline.config.labels.blocked;
  const resume =
    request.hint ??
    (stage
      ? `Fix the cause, then comment \`/baton retry\`, or remove \`${blocked}\` and apply \`${stage.on}\` again.`
      : `Fix the cause, then remove \`${blocked}\` and apply the label again.`);
  const where = stage ? ` at the **${stage.name}** stage` : "";
  const body = [`⛔ **Baton blocked this issue${where}.**`, "", `**Why:** ${reason}`, "", `**To resume:** ${resume}`].join("\n");
  await ensureComment(github, ref, `<!-- baton:blocked run=${runId} -->`, body, request.comments);
  if (stage) {
    await updateStatus(github, ref, pipeline, request.comments, stage.name, { state: "blocked", note: reason.slice(0, 120) }, blocked);
  }
  await swapLabel(github, ref, request.fromLabel, blocked);
}
