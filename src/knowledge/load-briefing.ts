import type { Usage } from "../agents/types.js";
import type { Pipeline } from "../config/resolve-pipeline.js";
import type { RepoRef } from "../github/types.js";
import { TransientError } from "../errors.js";
import { recordAgentUsage } from "../observe/metrics.js";
import { extendLock, releaseLock, tryLock } from "../redis.js";
import type { Runtime } from "../runtime.js";
import { keys } from "../runtime.js";
import { Briefing } from "./briefing.js";
import { buildBriefing } from "./build-briefing.js";
import type { Checkout } from "./read-only-checkout.js";
import { runScout, scoutTimeoutMs } from "./scout.js";

/** A briefing lives a week in Redis: a commit nobody works on stops costing memory. */
const BRIEFING_TTL_SECONDS = 7 * 24 * 3600;
/**
 * The build lock expires this long after its holder last renewed it (every third of it):
 * short, so a builder that crashed holds the others up for seconds, not for a scout's timeout.
 */
const LOCK_TTL_MS = 30_000;
/** How long a stage waits for another's build beyond the scout's own bound (two runs: a repair). */
const WAIT_MARGIN_MS = 2 * 60_000;
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1000;

/** The repository a briefing is of (no installation: building reads only Baton's clone). */
export type BriefingRepo = Pick<RepoRef, "repoId" | "owner" | "repo">;

/** What building needs besides the checkout: the config (whether to run the scout's agent) and the stage's cancellation. */
export interface BriefingOptions {
  pipeline?: Pipeline;
  signal?: AbortSignal;
}

export interface LoadedBriefing {
  briefing: Briefing;
  /** This call built (or completed) it, rather than finding it cached. */
  built: boolean;
  /** What the scout's agent cost, when this call ran it: the issue that asked pays it, once. */
  scoutUsage?: Usage;
}

async function readCached(rt: Runtime, repoId: number, sha: string): Promise<Briefing | undefined> {
  const text = await rt.redis.get(keys.briefing(rt, repoId, sha));
  if (!text) return undefined;
  const parsed = Briefing.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** The newest briefing of the repository, at whatever commit it was built (implement uses it as is). */
export async function latestBriefing(rt: Runtime, repoId: number): Promise<Briefing | undefined> {
  const sha = await rt.redis.get(keys.briefingLatest(rt, repoId));
  return sha ? readCached(rt, repoId, sha) : undefined;
}

/**
 * The briefing of the checkout's commit, from Redis when any issue or stage already built it;
 * otherwise built once, whoever asks at the same time (docs/architecture.md §13):
 * 1. A cached briefing that is complete is returned as is (complete: the scout's pass was
 *    made, when `scout:` is configured; a failed pass counts, so it is paid once).
 * 2. Otherwise take the commit's build lock (SET NX, renewed while building). Whoever holds
 *    it builds: the deterministic pass from Baton's clone, incrementally from the newest
 *    earlier briefing (a briefing cached without the scout's pass keeps its deterministic
 *    part), then the scout's agent pass on the read-only copy; and caches the result.
 * 3. The others wait for the lock to be released (or to expire: its holder died), then read
 *    the cache again; when the holder failed or was stopped they build it themselves.
 */
export async function loadBriefing(
  rt: Runtime,
  repo: BriefingRepo,
  checkout: Pick<Checkout, "agentCopy" | "clone" | "sha">,
  options: BriefingOptions = {},
): Promise<LoadedBriefing> {
  const withScout = options.pipeline?.config.scout !== undefined;
  const complete = (b: Briefing | undefined): b is Briefing => b !== undefined && (!withScout || b.scout !== undefined);
  const lock = keys.briefingLock(rt, repo.repoId, checkout.sha);
  const deadline = Date.now() + 2 * (options.pipeline ? (scoutTimeoutMs(options.pipeline) ?? 0) : 0) + WAIT_MARGIN_MS;
  for (;;) {
    const cached = await readCached(rt, repo.repoId, checkout.sha);
    if (complete(cached)) return { briefing: cached, built: false };
    const token = await tryLock(rt.redis, lock, LOCK_TTL_MS);
    if (token) {
      const renew = setInterval(() => void extendLock(rt.redis, lock, token, LOCK_TTL_MS).catch(() => {}), LOCK_TTL_MS / 3);
      try {
        // Someone may have finished between the read above and taking the lock.
        const again = await readCached(rt, repo.repoId, checkout.sha);
        if (complete(again)) return { briefing: again, built: false };
        return await build(rt, repo, checkout, again, options);
      } finally {
        clearInterval(renew);
        await releaseLock(rt.redis, lock, token);
      }
    }
    // Wait on the small lock key, not the briefing (megabytes for a large repository).
    for (let poll = FIRST_POLL_MS; await rt.redis.exists(lock); poll = Math.min(poll * 2, MAX_POLL_MS)) {
      options.signal?.throwIfAborted();
      if (Date.now() > deadline)
        throw new TransientError(`the briefing of ${repo.owner}/${repo.repo} at ${checkout.sha.slice(0, 7)} is still being built by another stage`);
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }
}

/** Builds under the lock: the deterministic pass unless `partial` has it, then the scout's pass when configured; caches the result. */
async function build(
  rt: Runtime,
  repo: BriefingRepo,
  checkout: Pick<Checkout, "agentCopy" | "clone" | "sha">,
  partial: Briefing | undefined,
  options: BriefingOptions,
): Promise<LoadedBriefing> {
  const previous = partial ? undefined : await latestBriefing(rt, repo.repoId);
  let briefing = partial ?? (await buildBriefing(checkout.clone, `${repo.owner}/${repo.repo}`, checkout.sha, rt.env.PATH, previous));
  const { pipeline } = options;
  if (pipeline?.config.scout) {
    briefing = { ...briefing, scout: await runScout({ rt, pipeline, signal: options.signal ?? new AbortController().signal }, checkout, briefing) };
  }
  await rt.redis.set(keys.briefing(rt, repo.repoId, checkout.sha), JSON.stringify(briefing), "EX", BRIEFING_TTL_SECONDS);
  await rt.redis.set(keys.briefingLatest(rt, repo.repoId), checkout.sha, "EX", BRIEFING_TTL_SECONDS);
  const scout = briefing.scout;
  if (scout?.status === "summarized") recordAgentUsage(rt.metrics, scout, scout.usage);
  const fields = {
    repo: briefing.repo,
    sha: checkout.sha,
    from: previous?.sha,
    changed: briefing.changed_files,
    files: briefing.files.length,
    scout: scout?.status ?? "off",
  };
  // A failed scout never blocks the issue: the stages get the deterministic briefing, and the log says why.
  if (scout?.status === "failed") rt.log.warn({ ...fields, scout_error: scout.error }, "briefing built");
  else rt.log.info({ ...fields, ...(scout ? { scout_backend: scout.backend, scout_cost_usd: scout.usage.cost_usd } : {}) }, "briefing built");
  return { briefing, built: true, scoutUsage: scout?.status === "summarized" ? scout.usage : undefined };
}
