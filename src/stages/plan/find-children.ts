import { listSubIssues, type ListedIssue } from "../../github/relations.js";
import type { GitHub, IssueRef } from "../../github/types.js";

/** The hidden line in a sub-issue's body that names its parent and task: how a re-run finds it. */
export const taskMarker = (parent: number, task: string) => `<!-- baton:task parent=${parent} task=${task} -->`;
const MARKER = /<!-- baton:task parent=(\d+) task=([A-Za-z0-9_.-]+) -->/;

/** The parent and task a body's marker names. */
export function parseTaskMarker(body: string | null | undefined): { parent: number; task: string } | undefined {
  const match = MARKER.exec(body ?? "");
  return match ? { parent: Number(match[1]), task: match[2]! } : undefined;
}

/** Whether a body carries a task marker (cheap enough for the request path). */
export const isTaskBody = (body: string | null | undefined): boolean => MARKER.test(body ?? "");

/** A sub-issue as the plan and the tracker read it. */
export interface ChildIssue {
  id: number;
  number: number;
  title: string;
  state: string;
  labels: string[];
  html_url: string;
}

export const toChild = (issue: Omit<ListedIssue, "user" | "body">): ChildIssue => ({
  id: issue.id,
  number: issue.number,
  title: issue.title,
  state: issue.state,
  labels: issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  html_url: issue.html_url,
});

/** A plan's children, and whether they came from GitHub's sub-issues API (else a task list stands in). */
export interface FoundChildren {
  children: Map<string, ChildIssue>;
  relations: boolean;
}

/**
 * The sub-issues Baton made for a parent, by task id: issues written by the app whose body
 * carries the parent's marker (a person's issue with a copied marker does not count).
 * Read from the parent's sub-issues, one short listing; from the repository's issues when
 * the sub-issues API is missing, or when a task in `expected` has no attached child (a run
 * that stopped between creating a child and attaching it must find it, not make another).
 */
export async function findChildren(github: GitHub, parent: IssueRef, botLogin: string, expected: readonly string[] = []): Promise<FoundChildren> {
  const attached = await listSubIssues(github, parent);
  const children = childrenAmong(attached ?? [], parent, botLogin);
  if (attached === undefined || expected.some((task) => !children.has(task))) {
    const issues = (await github.paginate("GET /repos/{owner}/{repo}/issues", {
      owner: parent.owner,
      repo: parent.repo,
      state: "all",
      per_page: 100,
    })) as ListedIssue[];
    return { children: childrenAmong(issues, parent, botLogin), relations: attached !== undefined };
  }
  return { children, relations: true };
}

function childrenAmong(issues: ListedIssue[], parent: IssueRef, botLogin: string): Map<string, ChildIssue> {
  const children = new Map<string, ChildIssue>();
  for (const issue of [...issues].sort((a, b) => a.number - b.number)) {
    const marker = parseTaskMarker(issue.body);
    if (issue.pull_request || issue.user?.login !== botLogin || marker?.parent !== parent.number || children.has(marker.task)) continue;
    children.set(marker.task, toChild(issue));
  }
  return children;
}
