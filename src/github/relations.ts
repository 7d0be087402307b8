import type { GitHub, IssueRef } from "./types.js";

/**
 * Sub-issues and issue dependencies. GitHub Enterprise Server versions without these APIs
 * answer 404: callers get `undefined` and fall back to task lists and `Depends on #n` lines.
 */

const isNotFound = (error: unknown) => (error as { status?: number }).status === 404;

async function orUnsupported<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const where = (ref: IssueRef) => ({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, per_page: 100 });

/** A sub-issue as GitHub lists it: the whole issue, body and author included. */
export interface ListedIssue {
  id: number;
  number: number;
  title: string;
  state: string;
  body?: string | null;
  html_url: string;
  user: { login: string } | null;
  pull_request?: unknown;
  labels: (string | { name?: string })[];
}

/** The issue's sub-issues; undefined without the API. */
export function listSubIssues(github: GitHub, ref: IssueRef): Promise<ListedIssue[] | undefined> {
  return orUnsupported(async () => (await github.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", where(ref))) as ListedIssue[]);
}

/** Attaches an issue (by its id, not its number); false without the API. */
export async function addSubIssue(github: GitHub, parent: IssueRef, childId: number): Promise<boolean> {
  const done = await orUnsupported(() =>
    github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", {
      owner: parent.owner,
      repo: parent.repo,
      issue_number: parent.number,
      sub_issue_id: childId,
    }),
  );
  return done !== undefined;
}

/** Numbers of the issues that block this one; undefined without the API. */
export function listBlockedBy(github: GitHub, ref: IssueRef): Promise<number[] | undefined> {
  return orUnsupported(async () =>
    ((await github.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by", where(ref))) as { number: number }[]).map(
      (i) => i.number,
    ),
  );
}

/** Records "`ref` is blocked by the issue with id `blockingId`"; false without the API. */
export async function addBlockedBy(github: GitHub, ref: IssueRef, blockingId: number): Promise<boolean> {
  const done = await orUnsupported(() =>
    github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by", {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
      issue_id: blockingId,
    }),
  );
  return done !== undefined;
}
