import { ensureComment, findLastByMarker } from "../github/ensure-comment.js";
import type { IssueComments } from "../github/list-comments.js";
import type { GitHub, IssueRef } from "../github/types.js";

const MARKER = "<!-- baton:lookalike -->";

/**
 * Someone posted a comment that carries Baton's markers: Baton ignores it (only the app's
 * own comments count) and says so once per issue, so nobody is misled into thinking a
 * pasted spec or verdict is in effect. Returns the own comments, with the note if posted.
 */
export async function noteLookalikes(github: GitHub, ref: IssueRef, comments: IssueComments): Promise<IssueComments["own"]> {
  const [first] = comments.lookalikes;
  if (!first || findLastByMarker(comments.own, MARKER)) return comments.own;
  const note = await ensureComment(
    github,
    ref,
    MARKER,
    `ℹ️ [This comment](${first.html_url}) by @${first.user?.login ?? "someone"} looks like one of Baton's (a spec, verdict or status), but Baton did not write it, so Baton ignores it. Only comments the Baton app posts itself count; to change a spec, edit Baton's own spec comment (that needs write access) or ask a maintainer.`,
    comments.own,
  );
  return [...comments.own, note];
}
