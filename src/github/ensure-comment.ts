import type { GitHub, IssueComment, IssueRef } from "./types.js";

/**
 * Creates the comment whose body starts with `marker`, or edits the one that exists
 * (the newest, if a race ever made two): a retry never posts twice. `comments` is the
 * issue's current comment list (see `listComments`).
 */
export async function ensureComment(github: GitHub, ref: IssueRef, marker: string, body: string, comments: IssueComment[]): Promise<IssueComment> {
  const existing = findLastByMarker(comments, marker);
  const full = body.startsWith(marker) ? body : `${marker}\n${body}`;
  if (existing) {
    if (existing.body === full) return existing;
    const { data } = await github.rest.issues.updateComment({
      owner: ref.owner,
      repo: ref.repo,
      comment_id: existing.id,
      body: full,
    });
    return data as IssueComment;
  }
  const { data } = await github.rest.issues.createComment({
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.number,
    body: full,
  });
  return data as IssueComment;
}

/** The newest comment whose first line is `marker` (or starts with it). */
export function findLastByMarker(comments: IssueComment[], marker: string): IssueComment | undefined {
  for (let i = comments.length - 1; i >= 0; i--) {
    const first = comments[i]?.body?.split("\n", 1)[0] ?? "";
    if (first.startsWith(marker)) return comments[i];
  }
  return undefined;
}
