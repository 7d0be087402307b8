import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { diff, git, listBranches, resolveRef } from "./git.js";
import { invalid, notFound, type Actor } from "./http.js";
import { renderCheckRun, renderPullReview, renderReviewComment, renderStatus } from "./render-collab.js";
import type { CheckRun, CommitStatus, Issue, Repo, Review, ReviewComment } from "./state.js";
import { SandboxError, type World } from "./world.js";

/**
 * What people, CI and the app do on pull requests beyond opening and merging them:
 * reviews with inline comments, thread replies, check runs, commit statuses, drafts,
 * closing without a merge. Each action changes the state as the REST route would and
 * sends the webhooks GitHub sends (shapes from `@octokit/webhooks-examples`).
 */

export interface InlineComment {
  path: string;
  /** The (last) line of the file the comment is on, in the new version. */
  line: number;
  start_line?: number;
  side?: string;
  body: string;
}

const REVIEW_STATE: Record<string, string> = { APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" };

export async function submitReview(
  world: World,
  repo: Repo,
  issue: Issue,
  input: { body?: string; event?: string; comments?: InlineComment[] },
  actor: Actor | undefined,
): Promise<Review> {
  const pull = issue.pull!;
  const event = input.event ?? "COMMENT";
  const state = REVIEW_STATE[event];
  if (!state) throw new SandboxError(invalid("Validation Failed", [{ resource: "PullRequestReview", field: "event", code: "invalid" }]));
  const reviewer = world.actorUser(actor);
  if (event !== "COMMENT" && reviewer.login === issue.user.login) {
    throw new SandboxError(invalid("Unprocessable Entity", [`Can not ${event === "APPROVE" ? "approve" : "request changes on"} your own pull request`]));
  }
  if (event === "REQUEST_CHANGES" && !input.body && !input.comments?.length)
    throw new SandboxError(invalid("Unprocessable Entity", ["Review Comment is missing"]));
  const { head } = await world.shas(repo, issue);
  const now = new Date().toISOString();
  const review: Review = { id: world.state.id(), body: input.body ?? "", event, state, user: reviewer, commit_id: head, submitted_at: now };
  const patch = await diff(repo.gitDir, pull.base, pull.head);
  const comments = (input.comments ?? []).map((c): ReviewComment => {
    const hunk = diffHunk(patch, c.path, c.line);
    if (hunk === undefined)
      throw new SandboxError(invalid("Unprocessable Entity", [`pull_request_review_thread.line must be part of the diff (${c.path}:${c.line})`]));
    return {
      id: world.state.id(),
      review_id: review.id,
      path: c.path,
      line: c.line,
      start_line: c.start_line ?? null,
      side: c.side ?? "RIGHT",
      diff_hunk: hunk,
      body: c.body,
      user: reviewer,
      commit_id: head,
      created_at: now,
      updated_at: now,
    };
  });
  pull.reviews.push(review);
  (pull.reviewComments ??= []).push(...comments);
  for (const comment of comments) sendReviewComment(world, repo, issue, comment);
  const payload = renderPullReview(review, repo, issue, world.urls);
  world.webhooks.send("pull_request_review", {
    action: "submitted",
    review: { ...payload, state: state.toLowerCase() },
    pull_request: world.payloads.pull("submitted", repo, issue, reviewer, await world.shas(repo, issue)).pull_request,
    ...world.payloads.common(repo, reviewer),
  });
  return review;
}

/** A reply in an inline comment's thread; replies to replies go to the thread's first comment, as on GitHub. */
export async function replyToReviewComment(
  world: World,
  repo: Repo,
  issue: Issue,
  commentId: number,
  body: string,
  actor: Actor | undefined,
): Promise<ReviewComment> {
  const thread = issue.pull!.reviewComments ?? [];
  const target = thread.find((c) => c.id === commentId);
  if (!target) throw new SandboxError(notFound());
  const root = target.in_reply_to_id ?? target.id;
  const now = new Date().toISOString();
  const reply: ReviewComment = {
    ...target,
    id: world.state.id(),
    review_id: world.state.id(),
    body,
    user: world.actorUser(actor),
    in_reply_to_id: root,
    created_at: now,
    updated_at: now,
  };
  thread.push(reply);
  sendReviewComment(world, repo, issue, reply);
  return reply;
}

function sendReviewComment(world: World, repo: Repo, issue: Issue, comment: ReviewComment): void {
  world.webhooks.send("pull_request_review_comment", {
    action: "created",
    comment: renderReviewComment(comment, repo, issue, world.urls),
    pull_request: { number: issue.number, head: { ref: issue.pull!.head, repo: { id: repo.id } }, user: { login: issue.user.login, type: issue.user.type } },
    ...world.payloads.common(repo, comment.user),
  });
}

/** The hunk of `path` in a unified diff, up to and including new-file line `line`; undefined when the line is not in the diff. */
export function diffHunk(patch: string, path: string, line: number): string | undefined {
  const section = patch.split(/^(?=diff --git )/m).find((s) => s.startsWith(`diff --git a/${path} `) || s.includes(`\n+++ b/${path}\n`));
  if (!section) return undefined;
  for (const hunk of section.split(/^(?=@@ )/m).slice(1)) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(hunk);
    if (!header) continue;
    const start = Number(header[1]);
    const lines = hunk.replace(/\n$/, "").split("\n");
    let current = start - 1;
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]!.startsWith("-")) current++;
      if (current === line) return lines.slice(0, i + 1).join("\n");
    }
  }
  return undefined;
}

/** Open pull requests whose head is at `sha` (what check and status payloads name). */
export async function pullsAt(repo: Repo, sha: string): Promise<Issue[]> {
  const found: Issue[] = [];
  for (const issue of repo.issues.values()) {
    if (issue.pull && issue.state === "open" && (await resolveRef(repo.gitDir, `refs/heads/${issue.pull.head}`)) === sha) found.push(issue);
  }
  return found;
}

/** A ref as the commits API takes it: a full SHA, or a branch name. */
export async function resolveCommit(repo: Repo, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  const sha = (await resolveRef(repo.gitDir, `refs/heads/${ref}`)) ?? (await resolveRef(repo.gitDir, ref));
  if (!sha) throw new SandboxError({ status: 422, body: { message: `No commit found for SHA: ${ref}` } });
  return sha;
}

export async function createCheckRun(world: World, repo: Repo, input: Partial<CheckRun> & { name: string; head_sha: string }, app: string): Promise<CheckRun> {
  const now = new Date().toISOString();
  const run: CheckRun = {
    id: world.state.id(),
    name: input.name,
    head_sha: input.head_sha,
    status: input.conclusion ? "completed" : (input.status ?? "queued"),
    conclusion: input.conclusion ?? null,
    output: input.output,
    details_url: input.details_url ?? null,
    external_id: input.external_id ?? null,
    started_at: input.started_at ?? now,
    completed_at: input.conclusion ? (input.completed_at ?? now) : null,
    app,
  };
  repo.checkRuns.push(run);
  await sendCheckRun(world, repo, run, "created");
  if (run.status === "completed") await sendCheckRun(world, repo, run, "completed");
  return run;
}

export async function updateCheckRun(world: World, repo: Repo, run: CheckRun, patch: Partial<CheckRun>): Promise<CheckRun> {
  const wasDone = run.status === "completed";
  Object.assign(run, patch);
  if (patch.conclusion) run.status = "completed";
  if (run.status === "completed") run.completed_at ??= new Date().toISOString();
  if (!wasDone && run.status === "completed") await sendCheckRun(world, repo, run, "completed");
  return run;
}

async function sendCheckRun(world: World, repo: Repo, run: CheckRun, action: "created" | "completed"): Promise<void> {
  const owner = world.state.user(repo.owner);
  const pulls = await pullsAt(repo, run.head_sha);
  const sender = world.state.user(`${run.app ?? "sandbox-ci"}[bot]`);
  const checkRun = renderCheckRun(run, repo, world.urls, owner, pulls);
  world.webhooks.send("check_run", { action, check_run: checkRun, ...world.payloads.common(repo, sender) });
  const suite = repo.checkRuns.filter((r) => r.head_sha === run.head_sha && (r.app ?? "sandbox-ci") === (run.app ?? "sandbox-ci"));
  if (action === "completed" && suite.every((r) => r.status === "completed")) {
    const conclusion = suite.find((r) => r.conclusion !== "success" && r.conclusion !== "neutral" && r.conclusion !== "skipped")?.conclusion ?? "success";
    world.webhooks.send("check_suite", {
      action: "completed",
      check_suite: {
        id: run.id,
        node_id: `CS_${run.id}`,
        head_branch: pulls[0]?.pull?.head ?? null,
        head_sha: run.head_sha,
        status: "completed",
        conclusion,
        pull_requests: checkRun.pull_requests,
        app: checkRun.app,
      },
      ...world.payloads.common(repo, sender),
    });
  }
}

export async function createStatus(
  world: World,
  repo: Repo,
  sha: string,
  input: { state: string; context?: string; description?: string | null; target_url?: string | null },
  actor: Actor | undefined,
): Promise<CommitStatus> {
  if (!["error", "failure", "pending", "success"].includes(input.state))
    throw new SandboxError(invalid("Validation Failed", [{ resource: "Status", field: "state", code: "custom" }]));
  const now = new Date().toISOString();
  const status: CommitStatus = {
    id: world.state.id(),
    sha,
    state: input.state as CommitStatus["state"],
    context: input.context ?? "default",
    description: input.description ?? null,
    target_url: input.target_url ?? null,
    creator: world.actorUser(actor),
    created_at: now,
    updated_at: now,
  };
  (repo.statuses ??= []).push(status);
  const branches = (await pullsAt(repo, sha)).map((p) => ({ name: p.pull!.head, commit: { sha }, protected: false }));
  world.webhooks.send("status", {
    ...renderStatus(status, repo, world.urls),
    sha,
    name: `${repo.owner}/${repo.name}`,
    commit: { sha },
    branches,
    ...world.payloads.common(repo, status.creator),
  });
  return status;
}

/** The newest status per context, GitHub's "combined status" (`pending` when there are none). */
export function latestStatuses(repo: Repo, sha: string): CommitStatus[] {
  const byContext = new Map<string, CommitStatus>();
  for (const s of repo.statuses ?? []) if (s.sha === sha) byContext.set(s.context, s);
  return [...byContext.values()];
}

export function combinedState(statuses: CommitStatus[]): string {
  if (statuses.length === 0 || statuses.some((s) => s.state === "pending")) return "pending";
  return statuses.some((s) => s.state === "error" || s.state === "failure") ? "failure" : "success";
}

/** Closes (without merging) or reopens a pull request, with `pull_request.closed` / `reopened`. */
export async function setPullState(world: World, repo: Repo, issue: Issue, state: "open" | "closed", actor: Actor | undefined): Promise<void> {
  if (issue.state === state) return;
  issue.state = state;
  issue.updated_at = new Date().toISOString();
  world.webhooks.send(
    "pull_request",
    world.payloads.pull(state === "closed" ? "closed" : "reopened", repo, issue, world.actorUser(actor), await world.shas(repo, issue)),
  );
}

export async function markReadyForReview(world: World, repo: Repo, issue: Issue, actor: Actor | undefined): Promise<void> {
  if (!issue.pull!.draft) return;
  issue.pull!.draft = false;
  world.webhooks.send("pull_request", world.payloads.pull("ready_for_review", repo, issue, world.actorUser(actor), await world.shas(repo, issue)));
}

/**
 * `PUT /pulls/{n}/update-branch`: merges the base into the head branch (a real three-way
 * merge), or answers 422 as GitHub does when there is nothing to merge or the merge conflicts.
 */
export async function updatePullBranch(world: World, repo: Repo, issue: Issue, actor: Actor | undefined): Promise<void> {
  const { head, base } = await world.shas(repo, issue);
  const upToDate = await git(repo.gitDir, ["merge-base", "--is-ancestor", base, head]).then(
    () => true,
    () => false,
  );
  if (upToDate) throw new SandboxError(invalid("There are no new commits on the base branch."));
  const tree = await git(repo.gitDir, ["merge-tree", "--write-tree", head, base]).then(
    (out) => out.split("\n")[0]!.trim(),
    () => undefined,
  );
  if (!tree) throw new SandboxError(invalid("merge conflict between base and head"));
  const before = await listBranches(repo.gitDir);
  const pull = issue.pull!;
  const sha = (await git(repo.gitDir, ["commit-tree", tree, "-p", head, "-p", base, "-m", `Merge branch '${pull.base}' into ${pull.head}`])).trim();
  await git(repo.gitDir, ["update-ref", `refs/heads/${pull.head}`, sha, head]);
  await world.announcePush(repo, before, world.actorUser(actor));
}

/** A person pushes one commit with `files` to `branch` (made from `from` when new), with the push webhooks. */
export async function pushCommit(
  world: World,
  repo: Repo,
  branch: string,
  files: Record<string, string>,
  actor: Actor | undefined,
  from = branch,
): Promise<string> {
  const parent = await resolveRef(repo.gitDir, `refs/heads/${from}`);
  if (!parent) throw new SandboxError(notFound("Branch not found"));
  const before = await listBranches(repo.gitDir);
  const user = world.actorUser(actor);
  const env = {
    GIT_AUTHOR_NAME: user.login,
    GIT_AUTHOR_EMAIL: `${user.login}@sandbox`,
    GIT_COMMITTER_NAME: user.login,
    GIT_COMMITTER_EMAIL: `${user.login}@sandbox`,
  };
  const index = `${repo.gitDir}/sandbox-index-${world.state.id()}`;
  const run = (args: string[], input?: string) => gitWith(repo.gitDir, args, { ...env, GIT_INDEX_FILE: index }, input);
  await run(["read-tree", parent]);
  for (const [path, content] of Object.entries(files)) {
    const blob = (await run(["hash-object", "-w", "--stdin"], content)).trim();
    await run(["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`]);
  }
  const tree = (await run(["write-tree"])).trim();
  const sha = (await run(["commit-tree", tree, "-p", parent, "-m", `Update ${Object.keys(files).join(", ")}`])).trim();
  await run(["update-ref", `refs/heads/${branch}`, sha]);
  await rm(index, { force: true });
  await world.announcePush(repo, before, user);
  return sha;
}

function gitWith(gitDir: string, args: string[], env: Record<string, string>, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", ["--git-dir", gitDir, ...args], { env: { ...process.env, ...env } }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
