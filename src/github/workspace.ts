import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PermanentError } from "../errors.js";
import { applyChange } from "./apply-change.js";
import { readChange, type ChangeRules } from "./read-change.js";
import { createSafeGit, type SafeGit } from "./safe-git.js";

const run = promisify(execFile);

/**
 * The agent's copy of one issue's branch. It is data: the agent and pre-flight may do
 * anything to it, and Baton never runs git in it. It carries a private `.git` (a copy of
 * Baton's clone's, without credentials) so CLI agents and tools that expect a repository
 * work; nothing under it is ever read back.
 */
export interface Workspace {
  dir: string;
  branch: string;
  baseBranch: string;
  /** The branch already existed on the remote (a revision continues it). */
  continued: boolean;
  /**
   * Files where merging the base into a continued branch left conflict markers, for the
   * agent to resolve; the merge is committed with the agent's change (empty: none).
   */
  conflicts: string[];
  /**
   * Takes what the agent left in `dir`, checks it, applies it to Baton's own clone and
   * commits and pushes there; returns the new sha, or undefined when nothing changed.
   */
  publish(commit: { message: string; author: { name: string; email: string }; rules: ChangeRules }): Promise<string | undefined>;
}

export interface WorkspaceOptions {
  cloneUrl: string;
  baseBranch: string;
  branch: string;
  /** A freshly minted token for this repository only, called right before each network step. */
  token: (access: "read" | "write") => Promise<string>;
  /** Who merges the base into a continued branch (git wants an identity even for an uncommitted merge). */
  author: { name: string; email: string };
  /** Where git is looked up (the process's PATH, from the runtime's settings). */
  searchPath: string;
}

/**
 * 1. Clones shallowly into a directory of Baton's own (hooks off, no inherited config).
 * 2. Checks out the branch, continuing it when it exists; a continued branch gets
 *    the base merged in (uncommitted: conflicts stay as markers for the agent).
 * 3. Copies the files into a second directory for the agent, and runs `fn` on that copy.
 * 4. Removes both, whatever happens.
 */
export async function withWorkspace<T>(options: WorkspaceOptions, fn: (workspace: Workspace) => Promise<T>): Promise<T> {
  if (options.branch === options.baseBranch) throw new PermanentError(`refusing to work on the default branch ${options.baseBranch}`);
  const git = await createSafeGit(options.searchPath);
  const clone = await mkdtemp(join(tmpdir(), "baton-clone-"));
  const dir = await mkdtemp(join(tmpdir(), "baton-ws-"));
  try {
    await git.run(clone, ["clone", "--quiet", "--depth", "1", "--no-tags", "--branch", options.baseBranch, options.cloneUrl, "."], {
      token: await options.token("read"),
    });
    const remote = await git.run(clone, ["ls-remote", "--heads", "origin", options.branch], { token: await options.token("read") });
    const continued = remote.trim().length > 0;
    let conflicts: string[] = [];
    if (continued) {
      await git.run(
        clone,
        ["fetch", "--quiet", "--depth", String(MERGE_DEPTH), "origin", `+refs/heads/${options.baseBranch}:refs/remotes/origin/${options.baseBranch}`],
        { token: await options.token("read") },
      );
      await git.run(clone, ["fetch", "--quiet", "--depth", String(MERGE_DEPTH), "origin", `refs/heads/${options.branch}`], {
        token: await options.token("read"),
      });
      await git.run(clone, ["checkout", "--quiet", "-B", options.branch, "FETCH_HEAD"]);
      conflicts = await mergeBase(git, clone, options);
    } else {
      await git.run(clone, ["checkout", "--quiet", "-b", options.branch]);
    }
    await cp(clone, dir, { recursive: true, verbatimSymlinks: true });
    return await fn({
      dir,
      branch: options.branch,
      baseBranch: options.baseBranch,
      continued,
      conflicts,
      async publish({ message, author, rules }) {
        await applyChange(clone, await readChange(dir, clone, rules));
        await git.run(clone, ["add", "-A"]);
        // A merge of the base in progress is committed even when the agent changed nothing.
        const merging = await git.run(clone, ["rev-parse", "-q", "--verify", "MERGE_HEAD"]).then(
          () => true,
          () => false,
        );
        if (!merging && !(await git.run(clone, ["diff", "--cached", "--name-only"])).trim()) return undefined;
        await git.run(clone, ["-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, "commit", "--quiet", "--no-verify", "-m", message]);
        const sha = (await git.run(clone, ["rev-parse", "HEAD"])).trim();
        await git.run(clone, ["push", "--quiet", "--no-verify", "origin", `HEAD:refs/heads/${options.branch}`], { token: await options.token("write") });
        return sha;
      },
    });
  } finally {
    await Promise.all([rm(dir, { recursive: true, force: true }), rm(clone, { recursive: true, force: true }), git.close()]);
  }
}

/** How much history a revision fetches of the branch and its base, so their merge base is found. */
const MERGE_DEPTH = 50;

/**
 * Merges the base into the checked-out branch without committing (the commit comes with
 * the agent's change, as the bot). Answers the files left with conflict markers. A merge
 * base beyond the shallow history is fetched in full first. Merge drivers and hooks come
 * only from Baton's own config (`safe-git.ts`), never from the repository.
 */
async function mergeBase(git: SafeGit, clone: string, options: WorkspaceOptions): Promise<string[]> {
  const base = `refs/remotes/origin/${options.baseBranch}`;
  const related = () =>
    git.run(clone, ["merge-base", "HEAD", base]).then(
      () => true,
      () => false,
    );
  if (!(await related())) await git.run(clone, ["fetch", "--quiet", "--unshallow", "origin"], { token: await options.token("read") });
  try {
    await git.run(clone, [
      "-c",
      `user.name=${options.author.name}`,
      "-c",
      `user.email=${options.author.email}`,
      "merge",
      "--quiet",
      "--no-commit",
      "--no-ff",
      base,
    ]);
    return [];
  } catch (error) {
    const unmerged = (await git.run(clone, ["diff", "--name-only", "--diff-filter=U"])).split("\n").filter(Boolean);
    if (!unmerged.length) throw error;
    return unmerged;
  }
}

/** Disk used by the agent's copy, in bytes (to keep an agent from filling the disk). */
export async function workspaceBytes(workspace: Workspace): Promise<number> {
  const { stdout } = await run("du", ["-sk", workspace.dir]);
  return Number(stdout.split("\t")[0]) * 1024;
}
