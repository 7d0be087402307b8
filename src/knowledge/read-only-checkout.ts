import { chmod, cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermanentError } from "../errors.js";
import { mintRepoToken } from "../github/mint-repo-token.js";
import { readChange } from "../github/read-change.js";
import { createSafeGit, type SafeGit } from "../github/safe-git.js";
import type { RepoInfo } from "../github/read-repo-info.js";
import type { GitHub, RepoRef } from "../github/types.js";
import type { BatonEnv } from "../env.js";
import { CloneCache, type CloneLease } from "./clone-cache.js";

/** The code at the base commit, as a stage that only reads sees it. */
export interface Checkout {
  /**
   * The agent's read-only copy, made on the first call (text-only agents never ask): data
   * without `.git`, never a place Baton runs git.
   */
  agentCopy(): Promise<string>;
  /** Baton's own clone of the same commit, shared by the stages reading it, which no agent process can reach: git and the briefing read this one. */
  clone: string;
  /** The commit checked out (the default branch's head when the stage started). */
  sha: string;
  defaultBranch: string;
}

/** The cache of this process's stages, one per parsed environment (tests run several side by side). */
const caches = new WeakMap<object, CloneCache>();
const CLONE_IDLE_MS = 30 * 60_000;

export function cloneCacheFor(env: Pick<BatonEnv, "BATON_CLONE_CACHE_MB">): CloneCache {
  let cache = caches.get(env);
  if (!cache) caches.set(env, (cache = new CloneCache({ maxBytes: env.BATON_CLONE_CACHE_MB * 1024 * 1024, idleMs: CLONE_IDLE_MS })));
  return cache;
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
 * Looked-up heads, each taken as the default branch's head for `BATON_HEAD_FRESH`: stages of
 * one repository starting within that window read the same commit instead of each running
 * `git ls-remote` (processes on both sides: git, its HTTP helper, the server's git), so a
 * stage may read code that much older than a push it follows.
 */
const headLookups = new Map<string, { sha: Promise<string>; answeredAt?: number }>();

/** The default branch's head, from git (`ls-remote` over HTTPS costs no REST call); one lookup per repository per `freshMs`, shared by the stages asking meanwhile. */
function headSha(git: SafeGit, cwd: string, repo: RepoInfo, token: string, freshMs: number): Promise<string> {
  const key = `${repo.clone_url}\0${repo.default_branch}`;
  const held = headLookups.get(key);
  const fresh = (lookup: { answeredAt?: number }) => lookup.answeredAt === undefined || Date.now() - lookup.answeredAt < freshMs;
  if (held && fresh(held)) return held.sha;
  const sha = git.run(cwd, ["ls-remote", repo.clone_url, `refs/heads/${repo.default_branch}`], { token }).then((out) => {
    // The pattern also matches refs ending in it (a branch `x/refs/heads/main`): take the exact ref.
    const found = out
      .split("\n")
      .map((line) => line.split("\t"))
      .find(([, name]) => name === `refs/heads/${repo.default_branch}`)?.[0];
    // Checked, since it becomes a git argument and a directory name.
    if (!found || !/^[0-9a-f]{40,64}$/.test(found)) throw new Error(`the default branch ${repo.default_branch} was not found at ${repo.clone_url}`);
    return found;
  });
  // Shared while in flight, then for `freshMs` from when it answered. A failed lookup is not kept.
  const entry: { sha: Promise<string>; answeredAt?: number } = { sha };
  if (headLookups.size >= 1000) for (const [k, e] of headLookups) if (!fresh(e)) headLookups.delete(k);
  headLookups.set(key, entry);
  sha.then(
    () => (entry.answeredAt = Date.now()),
    () => headLookups.get(key) === entry && headLookups.delete(key),
  );
  return sha;
}

/** A depth-1 clone of exactly `sha` into the empty `dir`, with no template hooks. */
async function cloneCommit(git: SafeGit, dir: string, repo: RepoInfo, sha: string, token: string): Promise<void> {
  await git.run(dir, ["init", "--quiet", "--template="]);
  await git.run(dir, ["fetch", "--quiet", "--depth", "1", "--no-tags", repo.clone_url, sha], { token });
  await git.run(dir, ["checkout", "--quiet", "--detach", "FETCH_HEAD"]);
}

/**
 * The default branch's head, for stages that read code (triage, design, review) and for
 * building the briefing. Finding and cloning it costs no REST call (git over HTTPS is not
 * counted against the API rate limits).
 * 1. `git ls-remote` names the head; Baton's clone of that commit comes from the process's
 *    clone cache (clone-cache.ts), made at depth 1 when no stage has it yet, with git's hooks
 *    and config off and a token for this repository's contents, read only.
 * 2. When the agent asks for it, the clone's files (not `.git`) are copied for the agent and
 *    every file and directory of the copy made read-only.
 * 3. Run `fn` (an agent may run in the copy with read-only tools, or under the OS sandbox's
 *    read-only bind of the copy; the shared clone is never bound or handed out).
 * 4. Refuse what it wrote: the copy is compared with Baton's clone file by file (never with
 *    git, which would read config the agent could have planted); any change fails the stage,
 *    naming the paths. Nothing is pushed from here and the copy is removed whatever happens,
 *    so a write reaches neither the repository, the cache nor a later stage.
 */
export async function withReadOnlyCheckout<T>(
  env: Pick<BatonEnv, "BATON_CLONE_CACHE_MB" | "BATON_HEAD_FRESH" | "PATH">,
  github: GitHub,
  ref: RepoRef,
  repo: RepoInfo,
  fn: (checkout: Checkout) => Promise<T>,
): Promise<T> {
  const cache = cloneCacheFor(env);
  const git = await createSafeGit(env.PATH);
  let lease: CloneLease | undefined;
  let copyDir: string | undefined;
  let copy: Promise<string> | undefined;
  try {
    const token = await readToken(github, ref, repo.clone_url);
    // A token revoked early (an installation suspended, a permission change): mint anew on the retry.
    const forgetToken = (error: unknown) => {
      readTokens.delete(repo.clone_url);
      throw error;
    };
    const sha = await headSha(git, await cache.directory(), repo, token, env.BATON_HEAD_FRESH).catch(forgetToken);
    lease = await cache.hold(repo.clone_url, sha, (dir) => cloneCommit(git, dir, repo, sha, token).catch(forgetToken));
    const clone = lease.dir;
    const agentCopy = () =>
      (copy ??= (async () => {
        const dir = (copyDir = await mkdtemp(join(tmpdir(), "baton-ro-")));
        await cp(clone, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(clone, ".git") });
        await makeReadOnly(dir);
        return dir;
      })());
    const result = await fn({ agentCopy, clone, sha, defaultBranch: repo.default_branch });
    if (copy) await refuseWrites(await copy, clone);
    return result;
  } finally {
    await lease?.release();
    await copy?.catch(() => undefined);
    if (copyDir) {
      await makeWritable(copyDir);
      await rm(copyDir, { recursive: true, force: true });
    }
    await git.close();
  }
}

/** Fails the stage when the agent's copy differs from Baton's clone. */
async function refuseWrites(dir: string, clone: string): Promise<void> {
  await makeWritable(dir);
  const changed = await readChange(dir, clone, { allowWorkflows: true, maxFiles: 1000, maxBytes: Number.MAX_SAFE_INTEGER }).catch((error: unknown) => {
    throw error instanceof PermanentError
      ? new PermanentError(`the agent wrote to the read-only checkout; its writes were discarded. ${error.message}`)
      : error;
  });
  if (changed.length) {
    throw new PermanentError(
      `the agent wrote to the read-only checkout (${changed
        .map((c) => c.path)
        .sort()
        .slice(0, 10)
        .join(", ")}); its writes were discarded.`,
      {
        hint: "This stage only reads code. Check the stage's agent (its tools or command), then comment `/baton retry`.",
      },
    );
  }
}
