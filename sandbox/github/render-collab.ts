import { renderUser, type Urls } from "./render.js";
import type { CheckRun, CommitStatus, Issue, Repo, Review, ReviewComment, User } from "./state.js";

/**
 * Response shapes of the collaboration routes (reviews, review comments, check runs,
 * commit statuses), with the fields GitHub's OpenAPI description marks required
 * (`@octokit/openapi`, api.github.com).
 */

const full = (repo: Repo) => `${repo.owner}/${repo.name}`;

export function renderPullReview(review: Review, repo: Repo, issue: Issue, urls: Urls) {
  const pullUrl = `${urls.api}/repos/${full(repo)}/pulls/${issue.number}`;
  const htmlUrl = `${urls.web}/${full(repo)}/pull/${issue.number}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: `PRR_${review.id}`,
    user: renderUser(review.user, urls),
    body: review.body,
    state: review.state,
    commit_id: review.commit_id,
    submitted_at: review.submitted_at,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    author_association: "NONE",
    _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
  };
}

export function renderReviewComment(comment: ReviewComment, repo: Repo, issue: Issue, urls: Urls) {
  const url = `${urls.api}/repos/${full(repo)}/pulls/comments/${comment.id}`;
  const htmlUrl = `${urls.web}/${full(repo)}/pull/${issue.number}#discussion_r${comment.id}`;
  const pullUrl = `${urls.api}/repos/${full(repo)}/pulls/${issue.number}`;
  return {
    url,
    id: comment.id,
    node_id: `PRRC_${comment.id}`,
    pull_request_review_id: comment.review_id,
    diff_hunk: comment.diff_hunk,
    path: comment.path,
    commit_id: comment.commit_id,
    original_commit_id: comment.commit_id,
    user: renderUser(comment.user, urls),
    body: comment.body,
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    author_association: "NONE",
    _links: { self: { href: url }, html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    line: comment.line,
    original_line: comment.line,
    start_line: comment.start_line,
    original_start_line: comment.start_line,
    side: comment.side,
    ...(comment.start_line === null ? {} : { start_side: comment.side }),
    // The line's index in the diff (GitHub's older "position"); the hunk ends at the line.
    position: comment.diff_hunk.split("\n").length - 1,
    original_position: comment.diff_hunk.split("\n").length - 1,
    subject_type: "line",
    ...(comment.in_reply_to_id ? { in_reply_to_id: comment.in_reply_to_id } : {}),
  };
}

/** The app a check run reports as its author. */
function renderCheckApp(slug: string, owner: User, urls: Urls) {
  return {
    id: slug === "sandbox-ci" ? 2 : 1,
    slug,
    node_id: `A_${slug}`,
    owner: renderUser(owner, urls),
    name: slug,
    description: null,
    external_url: urls.web,
    html_url: `${urls.web}/apps/${slug}`,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    permissions: {},
    events: [],
  };
}

export function renderCheckRun(run: CheckRun, repo: Repo, urls: Urls, owner: User, pulls: Issue[]) {
  const htmlUrl = `${urls.web}/${full(repo)}/runs/${run.id}`;
  const annotations = run.output?.annotations ?? [];
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.head_sha,
    name: run.name,
    external_id: run.external_id ?? "",
    url: `${urls.api}/repos/${full(repo)}/check-runs/${run.id}`,
    html_url: htmlUrl,
    details_url: run.details_url ?? htmlUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at ?? null,
    completed_at: run.completed_at ?? null,
    output: {
      title: run.output?.title ?? null,
      summary: run.output?.summary ?? null,
      text: run.output?.text ?? null,
      annotations_count: annotations.length,
      annotations_url: `${urls.api}/repos/${full(repo)}/check-runs/${run.id}/annotations`,
    },
    check_suite: { id: run.id },
    app: renderCheckApp(run.app ?? "sandbox-ci", owner, urls),
    pull_requests: pulls.map((p) => ({
      url: `${urls.api}/repos/${full(repo)}/pulls/${p.number}`,
      id: repo.id * 100_000 + p.number,
      number: p.number,
      head: { ref: p.pull!.head, sha: run.head_sha, repo: { id: repo.id, url: `${urls.api}/repos/${full(repo)}`, name: repo.name } },
      base: { ref: p.pull!.base, sha: "", repo: { id: repo.id, url: `${urls.api}/repos/${full(repo)}`, name: repo.name } },
    })),
  };
}

export function renderStatus(status: CommitStatus, repo: Repo, urls: Urls) {
  return {
    url: `${urls.api}/repos/${full(repo)}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: `SC_${status.id}`,
    state: status.state,
    description: status.description,
    target_url: status.target_url,
    context: status.context,
    created_at: status.created_at,
    updated_at: status.updated_at,
    creator: renderUser(status.creator, urls),
  };
}
