import type { GitHub, RepoRef } from "./types.js";

/**
 * A token for git, minted for this one repository with `contents` access only:
 * `POST /app/installations/{id}/access_tokens` with `repository_ids` and `permissions`
 * (the installation client signs that route with the app's JWT). It is the only
 * credential that leaves Baton's process (to a git child, in its environment), so a leak
 * could touch nothing but this repository's branches. Issues, labels and pull requests go
 * through the installation's REST client, which never leaves the process. A fresh token
 * per network step: it is never cached, stored or handed to an agent.
 */
export async function mintRepoToken(github: GitHub, ref: RepoRef, access: "read" | "write"): Promise<string> {
  const { data } = await github.rest.apps.createInstallationAccessToken({
    installation_id: ref.installationId,
    repository_ids: [ref.repoId],
    permissions: { contents: access },
  });
  return data.token;
}
