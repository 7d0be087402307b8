import type { GitHub, IssueComment, IssueRef } from "./types.js";

/** Every comment of an issue, oldest first (paginated, 100 a page). */
export async function listComments(github: GitHub, ref: IssueRef): Promise<IssueComment[]> {
  return (await github.paginate(github.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.number,
    per_page: 100,
  })) as IssueComment[];
}
