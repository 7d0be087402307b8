import type { GitHub, RepoRef } from "../../github/types.js";

export interface LabelledIssue {
  number: number;
  labels: string[];
  updated_at: string;
}

/** Open issues (not pull requests) carrying `label`, at most `limit`. */
export async function listLabelledIssues(github: GitHub, repo: RepoRef, label: string, limit = 500): Promise<LabelledIssue[]> {
  const found: LabelledIssue[] = [];
  for await (const { data } of github.paginate.iterator(github.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    labels: label,
    state: "open",
    per_page: 100,
  })) {
    for (const issue of data) {
      if (issue.pull_request) continue;
      found.push({
        number: issue.number,
        labels: issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
        updated_at: issue.updated_at,
      });
      if (found.length >= limit) return found;
    }
  }
  return found;
}
