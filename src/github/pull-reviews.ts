import { isOwnPull, issueBranch } from "./pulls.js";
import type { GitHub, IssueRef, RepoRef } from "./types.js";

/** A pull request as Baton checks whether it is its own. */
export interface PullFacts {
  number: number;
  node_id: string;
  html_url: string;
  state: string;
  merged: boolean;
  draft: boolean;
  head_ref: string;
  head_sha: string;
  base_ref: string;
  head_repo_id: number | null;
  author: string;
}

export async function readPull(github: GitHub, repo: RepoRef, number: number): Promise<PullFacts> {
  const { data } = await github.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
  return {
    number: data.number,
    node_id: data.node_id,
    html_url: data.html_url,
    state: data.state,
    merged: Boolean(data.merged),
    draft: Boolean(data.draft),
    head_ref: data.head.ref,
    head_sha: data.head.sha,
    base_ref: data.base.ref,
    head_repo_id: data.head.repo?.id ?? null,
    author: data.user?.login ?? "",
  };
}

/**
 * Baton's PR for an issue: branch `baton/issue-<n>` in the same repository (not a fork
 * that named its branch alike), opened by Baton's bot. Anything else is someone else's PR.
 */
export function isBatonPull(pull: PullFacts, issue: IssueRef, botLogin: string): boolean {
  const origin = {
    head: { ref: pull.head_ref, repo: pull.head_repo_id === null ? null : { id: pull.head_repo_id } },
    base: { repo: { id: issue.repoId } },
    user: { login: pull.author },
  };
  return pull.head_ref === issueBranch(issue.number) && isOwnPull(origin, botLogin);
}

/** One inline comment of a review, as the implement prompt and the thread reply need it. */
export interface InlineComment {
  id: number;
  path: string;
  line: number | null;
  start_line: number | null;
  diff_hunk: string;
  body: string;
}

export async function readReview(github: GitHub, repo: RepoRef, pr: number, reviewId: number) {
  const { data } = await github.rest.pulls.getReview({ owner: repo.owner, repo: repo.repo, pull_number: pr, review_id: reviewId });
  return { id: data.id, state: data.state, body: data.body ?? "", user: data.user?.login ?? "", userType: data.user?.type ?? "User" };
}

/** Every top-level inline comment on the PR (replies excluded), oldest first. */
export async function listInlineComments(github: GitHub, repo: RepoRef, pr: number) {
  const all = await github.paginate(github.rest.pulls.listReviewComments, { owner: repo.owner, repo: repo.repo, pull_number: pr, per_page: 100 });
  return all.map((c) => ({
    id: c.id,
    review_id: c.pull_request_review_id ?? null,
    in_reply_to_id: c.in_reply_to_id ?? null,
    path: c.path,
    line: c.line ?? c.original_line ?? null,
    start_line: c.start_line ?? null,
    diff_hunk: c.diff_hunk,
    body: c.body,
    user: c.user?.login ?? "",
    userType: c.user?.type ?? "User",
  }));
}

/**
 * Answers in an inline comment's thread once: a retry finds its reply by the marker and
 * does not post again.
 */
export async function replyInThread(
  github: GitHub,
  repo: RepoRef,
  pr: number,
  commentId: number,
  marker: string,
  body: string,
  existing: { in_reply_to_id: number | null; body: string }[],
): Promise<boolean> {
  if (existing.some((c) => c.in_reply_to_id === commentId && c.body.startsWith(marker))) return false;
  await github.rest.pulls.createReplyForReviewComment({
    owner: repo.owner,
    repo: repo.repo,
    pull_number: pr,
    comment_id: commentId,
    body: `${marker}\n${body}`,
  });
  return true;
}
