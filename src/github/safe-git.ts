import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Git as Baton runs it: only in a clone Baton made and no agent could write to, with
 * settings that keep any file in that clone from running a command.
 * - No system or global config, and HOME is an empty directory: nothing on the worker
 *   (a `~/.gitconfig`, a credential helper) takes part.
 * - Hooks come from an empty directory Baton made; fsmonitor and the untracked cache are
 *   off. These are command-line scope (GIT_CONFIG_*), so they win over `.git/config`.
 * - A minimal environment: never `process.env`, which holds Baton's secrets.
 * - The token, for network steps only, in an `http.extraHeader` set through GIT_CONFIG_*:
 *   never in the URL, argv (visible to `ps`) or `.git/config`.
 */
export interface SafeGit {
  run(dir: string, args: string[], options?: { token?: string }): Promise<string>;
  /** Removes the empty hooks and home directories. */
  close(): Promise<void>;
}

export async function createSafeGit(searchPath: string): Promise<SafeGit> {
  const root = await mkdtemp(join(tmpdir(), "baton-git-env-"));
  const hooks = join(root, "hooks");
  const home = join(root, "home");
  await Promise.all([mkdir(hooks), mkdir(home)]);
  const settings: [string, string][] = [
    ["core.hooksPath", hooks],
    ["core.fsmonitor", "false"],
    ["core.untrackedCache", "false"],
  ];
  return {
    async run(dir, args, options = {}) {
      const config = options.token
        ? [...settings, ["http.extraHeader", `Authorization: Basic ${Buffer.from(`x-access-token:${options.token}`).toString("base64")}`] as [string, string]]
        : settings;
      const env: NodeJS.ProcessEnv = {
        PATH: searchPath,
        HOME: home,
        LANG: "C.UTF-8",
        GIT_TERMINAL_PROMPT: "0",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_COUNT: String(config.length),
        ...Object.fromEntries(
          config.flatMap(([key, value], i) => [
            [`GIT_CONFIG_KEY_${i}`, key],
            [`GIT_CONFIG_VALUE_${i}`, value],
          ]),
        ),
      };
      try {
        const { stdout } = await execFileAsync("git", args, { cwd: dir, env, maxBuffer: 32 * 1024 * 1024 });
        return stdout;
      } catch (error) {
        const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
        throw new Error(`git ${args[0]} failed: ${stderr || (error as Error).message}`, { cause: error });
      }
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}
