import type { GitHub, RepoRef } from "./types.js";

/** A file's text on the default branch, or undefined when there is no such file. */
export async function readRepoFile(github: GitHub, ref: Pick<RepoRef, "owner" | "repo">, path: string): Promise<string | undefined> {
  try {
    const { data } = await github.rest.repos.getContent({ owner: ref.owner, repo: ref.repo, path, mediaType: { format: "raw" } });
    return String(data);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}
