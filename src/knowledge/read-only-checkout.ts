import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermanentError } from "../errors.js";
import { authEnv, git } from "../github/workspace.js";
import type { GitHub, RepoRef } from "../github/types.js";

/** The code at the base commit, as a stage that only reads sees it. */
export interface Checkout {
  dir: string;
  /** The commit checked out (the default branch's head when the stage started). */
  sha: string;
  defaultBranch: string;
}

/** Installation token for git only: it never reaches the agent, logs, events or `.git/config`. */
export async function mintGitToken(github: GitHub): Promise<string> {
  const auth = (await github.auth({ type: "installation" })) as { token?: string };
  if (!auth.token) throw new Error("could not mint an installation token for git");
  return auth.token;
}

/** Files 0444 and directories 0555: an agent running as another user cannot write (root can; see below). */
async function makeReadOnly(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadOnly(path);
    else if (entry.isFile()) await chmod(path, 0o444);
  }
  await chmod(dir, 0o555);
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => {});
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
  }
}

/**
 * A shallow clone of the default branch's head, read-only, for stages that read code
 * (triage, design, review) and for building the briefing. Cloning costs no REST call (git
 * over HTTPS is not counted against the API rate limits), one `repos.get` finds the clone URL.
 * 1. Clone at depth 1 into a fresh directory; make every file and directory read-only.
 * 2. Run `fn` (an agent may run there with read-only tools, or under the OS sandbox's
 *    read-only bind).
 * 3. Refuse what it wrote: any change in the checkout fails the stage, naming the paths.
 *    Nothing is pushed from here and the directory is removed whatever happens, so a write
 *    reaches neither the repository nor a later stage.
 */
export async function withReadOnlyCheckout<T>(github: GitHub, ref: Pick<RepoRef, "owner" | "repo">, fn: (checkout: Checkout) => Promise<T>): Promise<T> {
  const { data: repo } = await github.rest.repos.get({ owner: ref.owner, repo: ref.repo });
  const dir = await mkdtemp(join(tmpdir(), "baton-ro-"));
  try {
    await git(dir, ["clone", "--quiet", "--depth", "1", "--no-tags", "--branch", repo.default_branch, repo.clone_url, "."], authEnv(await mintGitToken(github)));
    const sha = (await git(dir, ["rev-parse", "HEAD"])).trim();
    await makeReadOnly(dir);
    const result = await fn({ dir, sha, defaultBranch: repo.default_branch });
    const changed = (await git(dir, ["status", "--porcelain", "--untracked-files=all"])).split("\n").filter(Boolean);
    if (changed.length) {
      const paths = changed.map((l) => l.slice(3)).slice(0, 10);
      throw new PermanentError(`the agent wrote to the read-only checkout (${paths.join(", ")}); its writes were discarded.`, {
        hint: "This stage only reads code. Check the stage's agent (its tools or command), then comment `/baton retry`.",
      });
    }
    return result;
  } finally {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
