import { chmod, cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermanentError } from "../errors.js";
import { mintRepoToken } from "../github/mint-repo-token.js";
import { readChange } from "../github/read-change.js";
import { createSafeGit } from "../github/safe-git.js";
import type { RepoInfo } from "../github/read-repo-info.js";
import type { GitHub, RepoRef } from "../github/types.js";

/** The code at the base commit, as a stage that only reads sees it. */
export interface Checkout {
  /** The agent's read-only copy: data, never a place Baton runs git. */
  dir: string;
  /** Baton's own clone of the same commit, which no agent process can reach: git and the briefing read this one. */
  clone: string;
  /** The commit checked out (the default branch's head when the stage started). */
  sha: string;
  defaultBranch: string;
}

/** A minted read token is reused for this long (tokens live an hour) by the stages of one repository. */
const READ_TOKEN_REUSE_MS = 30 * 60_000;
const readTokens = new Map<string, { token: Promise<string>; until: number }>();

/**
 * A contents:read token for one repository, kept in this process's memory (never in Redis or
 * job data) and shared by the read-only clones of its stages: minting is a request per clone
 * otherwise, and it only ever reaches Baton's own git.
 */
function readToken(github: GitHub, ref: RepoRef, cloneUrl: string): Promise<string> {
  const held = readTokens.get(cloneUrl);
  if (held && held.until > Date.now()) return held.token;
  const token = mintRepoToken(github, ref, "read");
  readTokens.set(cloneUrl, { token, until: Date.now() + READ_TOKEN_REUSE_MS });
  token.catch(() => readTokens.delete(cloneUrl));
  return token;
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
 * A shallow clone of the default branch's head, for stages that read code (triage, design,
 * review) and for building the briefing. Cloning costs no REST call (git over HTTPS is not
 * counted against the API rate limits); one `repos.get` finds the clone URL.
 * 1. Clone at depth 1 into a directory of Baton's own, with git's hooks and config off and a
 *    token for this repository's contents, read only.
 * 2. Copy it for the agent and make every file and directory of the copy read-only.
 * 3. Run `fn` (an agent may run in the copy with read-only tools, or under the OS sandbox's
 *    read-only bind).
 * 4. Refuse what it wrote: the copy is compared with Baton's clone file by file (never with
 *    git, which would read config the agent could have planted); any change fails the stage,
 *    naming the paths. Nothing is pushed from here and both directories are removed
 *    whatever happens, so a write reaches neither the repository nor a later stage.
 */
export async function withReadOnlyCheckout<T>(github: GitHub, ref: RepoRef, repo: RepoInfo, fn: (checkout: Checkout) => Promise<T>): Promise<T> {
  const git = await createSafeGit();
  const clone = await mkdtemp(join(tmpdir(), "baton-ro-clone-"));
  const dir = await mkdtemp(join(tmpdir(), "baton-ro-"));
  try {
    await git
      .run(clone, ["clone", "--quiet", "--depth", "1", "--no-tags", "--branch", repo.default_branch, repo.clone_url, "."], { token: await readToken(github, ref, repo.clone_url) })
      // A token revoked early (an installation suspended, a permission change): mint anew on the retry.
      .catch((error: unknown) => {
        readTokens.delete(repo.clone_url);
        throw error;
      });
    const sha = (await git.run(clone, ["rev-parse", "HEAD"])).trim();
    await cp(clone, dir, { recursive: true, verbatimSymlinks: true });
    await makeReadOnly(dir);
    const result = await fn({ dir, clone, sha, defaultBranch: repo.default_branch });
    await makeWritable(dir);
    const changed = await readChange(dir, clone, { allowWorkflows: true, maxFiles: 1000, maxBytes: Number.MAX_SAFE_INTEGER }).catch((error: unknown) => {
      throw error instanceof PermanentError ? new PermanentError(`the agent wrote to the read-only checkout; its writes were discarded. ${error.message}`) : error;
    });
    if (changed.length) {
      throw new PermanentError(`the agent wrote to the read-only checkout (${changed.map((c) => c.path).sort().slice(0, 10).join(", ")}); its writes were discarded.`, {
        hint: "This stage only reads code. Check the stage's agent (its tools or command), then comment `/baton retry`.",
      });
    }
    return result;
  } finally {
    await makeWritable(dir);
    await Promise.all([rm(dir, { recursive: true, force: true }), rm(clone, { recursive: true, force: true }), git.close()]);
  }
}
