import type { Pipeline } from "../config/resolve-pipeline.js";
import { ensureComment } from "./ensure-comment.js";
import { readStatus, renderStatus, STATUS_MARKER, type StatusRow } from "./status-comment.js";
import type { GitHub, IssueComment, IssueRef } from "./types.js";

/**
 * Sets one stage's row of the status comment (merging over what is there) and edits the
 * comment in place. `comments` is the issue's current comment list; the returned list has
 * the updated status comment in it, for the next update in the same job.
 */
export async function updateStatus(
  github: GitHub,
  ref: IssueRef,
  pipeline: Pipeline,
  comments: IssueComment[],
  stage: string,
  row: Partial<StatusRow> & Pick<StatusRow, "state">,
  headline: string,
  /** Replaces the Markdown under the table when given (a plan's task table). */
  appendix?: string,
): Promise<IssueComment[]> {
  const { comment, data } = readStatus(comments);
  data.rows[stage] = { ...data.rows[stage], ...row };
  if (appendix !== undefined) data.appendix = appendix;
  const updated = await ensureComment(github, ref, STATUS_MARKER, renderStatus(pipeline, data, headline), comments);
  return comment ? comments.map((c) => (c.id === updated.id ? updated : c)) : [...comments, updated];
}
