import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PermanentError } from "../errors.js";

const run = promisify(execFile);

/** A checkout of one issue's branch in a directory of its own. */
export interface Workspace {
  dir: string;
  branch: string;
  baseBranch: string;
  /** The branch already existed on the remote (a revision continues it). */
  continued: boolean;
}

export interface WorkspaceOptions {
  cloneUrl: string;
  baseBranch: string;
  branch: string;
  /** Returns a freshly minted installation token, called right before each network step. */
  token: () => Promise<string>;
}

/**
 * Git's environment for one network step: the token travels in an `http.extraHeader` set
 * through GIT_CONFIG_* variables — never in the URL, argv or `.git/config`, where every
 * process on the machine (ps) or the agent could read it.
 */
export function authEnv(token: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
  };
}

export async function git(dir: string, args: string[], env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0" }): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd: dir, env, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
    throw new Error(`git ${args[0]} failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

/**
 * Clones the repository shallowly into a fresh temporary directory, checks out the issue's
 * branch (continuing it when it exists), runs `fn`, and removes the directory whatever happens.
 */
export async function withWorkspace<T>(options: WorkspaceOptions, fn: (workspace: Workspace) => Promise<T>): Promise<T> {
  if (options.branch === options.baseBranch) throw new PermanentError(`refusing to work on the default branch ${options.baseBranch}`);
  const dir = await mkdtemp(join(tmpdir(), "baton-ws-"));
  try {
    await git(dir, ["clone", "--quiet", "--depth", "1", "--no-tags", "--branch", options.baseBranch, options.cloneUrl, "."], authEnv(await options.token()));
    const remote = await git(dir, ["ls-remote", "--heads", "origin", options.branch], authEnv(await options.token()));
    const continued = remote.trim().length > 0;
    if (continued) {
      await git(dir, ["fetch", "--quiet", "--depth", "50", "origin", `refs/heads/${options.branch}`], authEnv(await options.token()));
      await git(dir, ["checkout", "--quiet", "-B", options.branch, "FETCH_HEAD"]);
    } else {
      await git(dir, ["checkout", "--quiet", "-b", options.branch]);
    }
    return await fn({ dir, branch: options.branch, baseBranch: options.baseBranch, continued });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Commits everything in the workspace as the bot; returns the new sha, or undefined when nothing changed. */
export async function commitAll(workspace: Workspace, message: string, author: { name: string; email: string }): Promise<string | undefined> {
  await git(workspace.dir, ["add", "-A"]);
  const staged = await git(workspace.dir, ["diff", "--cached", "--name-only"]);
  if (!staged.trim()) return undefined;
  await git(workspace.dir, ["-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, "commit", "--quiet", "-m", message]);
  return (await git(workspace.dir, ["rev-parse", "HEAD"])).trim();
}

/** Pushes the branch (never the default branch) with a token minted for this push. */
export async function pushBranch(workspace: Workspace, token: string): Promise<void> {
  if (workspace.branch === workspace.baseBranch) throw new PermanentError(`refusing to push to the default branch ${workspace.baseBranch}`);
  await git(workspace.dir, ["push", "--quiet", "origin", `HEAD:refs/heads/${workspace.branch}`], authEnv(token));
}

/** Disk used by the workspace, in bytes (to keep an agent from filling the disk). */
export async function workspaceBytes(workspace: Workspace): Promise<number> {
  const { stdout } = await run("du", ["-sk", workspace.dir]);
  return Number(stdout.split("\t")[0]) * 1024;
}
