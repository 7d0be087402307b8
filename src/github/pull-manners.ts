import { hasAtLeast, readRole } from "./permissions.js";
import type { GitHub, IssueRef, RepoRef } from "./types.js";

/** What GitHub answers when a repository's plan has no draft pull requests. */
const NO_DRAFTS = /draft/i;

/**
 * Opens Baton's PR as a draft (it becomes ready when the AI review approves). Where the
 * repository cannot have drafts (GitHub answers 422), opens a normal PR and says so in its body.
 */
export async function createDraftPull(github: GitHub, repo: RepoRef, input: { head: string; base: string; title: string; body: string }) {
  try {
    const { data } = await github.rest.pulls.create({ owner: repo.owner, repo: repo.repo, ...input, draft: true });
    return data;
  } catch (error) {
    const { status, message } = error as { status?: number; message?: string };
    if (status !== 422 || !NO_DRAFTS.test(message ?? "")) throw error;
    const body = `${input.body}\n\n_Opened ready for review: this repository does not allow draft pull requests, so Baton could not open it as a draft until its review approves._`;
    const { data } = await github.rest.pulls.create({ owner: repo.owner, repo: repo.repo, ...input, body });
    return data;
  }
}

/** Marks a draft PR ready for review: GitHub offers this only as a GraphQL mutation. */
export async function markReadyForReview(github: GitHub, pullNodeId: string): Promise<void> {
  await github.graphql(`mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id isDraft } } }`, {
    id: pullNodeId,
  });
}

/**
 * Asks the people who wanted the change (the issue's author, whoever applied the entry
 * label) to review Baton's PR, when they can act on it (write access). Never fails the stage.
 */
export async function requestReviewers(github: GitHub, ref: IssueRef, pr: number, candidates: string[], botLogin: string): Promise<string[]> {
  const asked: string[] = [];
  for (const login of [...new Set(candidates)].filter((l) => l && l !== botLogin && !l.endsWith("[bot]"))) {
    if (hasAtLeast(await readRole(github, ref, login), "write")) asked.push(login);
  }
  if (asked.length) await github.rest.pulls.requestReviewers({ owner: ref.owner, repo: ref.repo, pull_number: pr, reviewers: asked });
  return asked;
}

/** The base branch of Baton's PR: a `base:<branch>` label, else the stage's `base:`, else the default branch. */
export function chooseBase(labels: string[], prefix: string, configured: string | undefined, defaultBranch: string): string {
  return labels.find((l) => l.startsWith(prefix) && l.length > prefix.length)?.slice(prefix.length) ?? configured ?? defaultBranch;
}

export async function branchExists(github: GitHub, repo: RepoRef, branch: string): Promise<boolean> {
  try {
    await github.rest.repos.getBranch({ owner: repo.owner, repo: repo.repo, branch });
    return true;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

/**
 * Brings the PR branch up to date with its base through GitHub's update-branch API (a merge
 * commit made by GitHub, asynchronously). `current`: the base has nothing new.
 */
export async function updatePullBranch(github: GitHub, repo: RepoRef, pull: { number: number; head_sha: string }): Promise<"updated" | "current" | "conflict"> {
  try {
    await github.rest.pulls.updateBranch({ owner: repo.owner, repo: repo.repo, pull_number: pull.number, expected_head_sha: pull.head_sha });
    return "updated";
  } catch (error) {
    const { status, message } = error as { status?: number; message?: string };
    if (status !== 422) throw error;
    if (/no new commits/i.test(message ?? "")) return "current";
    if (/conflict/i.test(message ?? "")) return "conflict";
    throw error;
  }
}
