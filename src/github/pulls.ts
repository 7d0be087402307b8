import { createDraftPull } from "./pull-manners.js";
import type { GitHub, RepoRef } from "./types.js";

export interface PullRef {
  number: number;
  html_url: string;
  head_sha: string;
}

/** The branch Baton works on for an issue; revisions push to the same branch. */
export function issueBranch(issueNumber: number): string {
  return `baton/issue-${issueNumber}`;
}

/** The parts of a pull request that say whose it is. */
export interface PullOrigin {
  head: { ref: string; repo?: { id: number } | null };
  base: { repo: { id: number } };
  user?: { login: string } | null;
}

/**
 * Baton's PR: its head branch lives in the repository itself (a fork's branch may carry any
 * name, `baton/issue-<n>` too) and the app's bot opened it.
 */
export function isOwnPull(pull: PullOrigin, botLogin: string): boolean {
  return pull.head.repo?.id === pull.base.repo.id && pull.user?.login === botLogin;
}

/** Baton's open PR whose head is `branch` in this repository, if any. */
export async function findOpenPull(github: GitHub, repo: RepoRef, branch: string, botLogin: string): Promise<PullRef | undefined> {
  const { data } = await github.rest.pulls.list({ owner: repo.owner, repo: repo.repo, head: `${repo.owner}:${branch}`, state: "open", per_page: 10 });
  const pull = data.find((p) => p.head.ref === branch && isOwnPull(p, botLogin));
  return pull ? { number: pull.number, html_url: pull.html_url, head_sha: pull.head.sha } : undefined;
}

/**
 * Opens the PR for `branch`, or updates the open one (never a second PR), and labels it.
 * Runs twice safely: a retry finds the PR the first attempt opened.
 */
export async function upsertPull(
  github: GitHub,
  repo: RepoRef,
  input: { branch: string; base: string; title: string; body: string; label: string; botLogin: string },
): Promise<PullRef & { created: boolean }> {
  const { body } = input;
  const existing = await findOpenPull(github, repo, input.branch, input.botLogin);
  let pull: PullRef;
  let created = false;
  if (existing) {
    await github.rest.pulls.update({ owner: repo.owner, repo: repo.repo, pull_number: existing.number, title: input.title, body });
    pull = existing;
  } else {
    const data = await createDraftPull(github, repo, { head: input.branch, base: input.base, title: input.title, body });
    pull = { number: data.number, html_url: data.html_url, head_sha: data.head.sha };
    created = true;
  }
  await github.rest.issues.addLabels({ owner: repo.owner, repo: repo.repo, issue_number: pull.number, labels: [input.label] });
  return { ...pull, created };
}

/** The PR's unified diff, cut to `maxChars` (a reviewer prompt has limits too). */
export async function readPullDiff(github: GitHub, repo: RepoRef, number: number, maxChars = 100_000): Promise<string> {
  const { data } = await github.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number, mediaType: { format: "diff" } });
  const diff = String(data);
  return diff.length > maxChars ? `${diff.slice(0, maxChars)}\n… (diff cut at ${maxChars} characters)` : diff;
}
