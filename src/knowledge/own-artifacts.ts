import { parseArtifact, type Artifact } from "../github/artifacts.js";
import type { IssueComment } from "../github/types.js";

/**
 * Artifacts the app itself wrote: only those count (a person can paste Baton's markers into a
 * comment of their own). Authorship is the comment's author being the app's bot login.
 */
export function ownArtifacts(comments: IssueComment[], botLogin: string): Artifact[] {
  return comments
    .filter((c) => c.user?.login === botLogin)
    .map(parseArtifact)
    .filter((a): a is Artifact => a !== undefined);
}
