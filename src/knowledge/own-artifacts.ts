import { isByApp, type AppIdentity } from "../github/app-identity.js";
import { parseArtifact, type Artifact } from "../github/artifacts.js";
import type { IssueComment } from "../github/types.js";

/**
 * Artifacts the app itself wrote: only those count (a person can paste Baton's markers into a
 * comment of their own). Used where comments come from a repository-wide listing rather than
 * `listComments`, which already keeps the app's own.
 */
export function ownArtifacts(comments: IssueComment[], app: AppIdentity): Artifact[] {
  return comments
    .filter((c) => isByApp(c, app))
    .map(parseArtifact)
    .filter((a): a is Artifact => a !== undefined);
}
