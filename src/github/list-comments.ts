import { isByApp, type AppIdentity } from "./app-identity.js";
import type { GitHub, IssueComment, IssueRef } from "./types.js";

/** The first line of every comment Baton writes: an artifact, the status, a gate note, a reply… */
const MARKER = /^<!-- baton:/;

export interface IssueComments {
  /** The app's own comments, oldest first: the only ones Baton reads back. */
  own: IssueComment[];
  /** Comments by anyone else that carry Baton's markers: ignored, and worth one note. */
  lookalikes: IssueComment[];
}

/**
 * Every comment of an issue (paginated, 100 a page), split by authorship: only what the app
 * itself wrote is an artifact, a status or a verdict; a person can copy the markers, not
 * the author.
 */
export async function readComments(github: GitHub, ref: IssueRef, app: AppIdentity): Promise<IssueComments> {
  const all = (await github.paginate(github.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.number,
    per_page: 100,
  })) as IssueComment[];
  const own = all.filter((c) => isByApp(c, app));
  const lookalikes = all.filter((c) => !isByApp(c, app) && MARKER.test(c.body ?? ""));
  return { own, lookalikes };
}

/** The app's own comments on an issue, oldest first (see `readComments`). */
export async function listComments(github: GitHub, ref: IssueRef, app: AppIdentity): Promise<IssueComment[]> {
  return (await readComments(github, ref, app)).own;
}
