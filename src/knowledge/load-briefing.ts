import type { Runtime } from "../runtime.js";
import { keys } from "../runtime.js";
import { Briefing } from "./briefing.js";
import { buildBriefing } from "./build-briefing.js";

/** A briefing lives a week in Redis: a commit nobody works on stops costing memory. */
const BRIEFING_TTL_SECONDS = 7 * 24 * 3600;

export interface BriefingRepo {
  repoId: number;
  owner: string;
  repo: string;
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
 * The briefing of `sha`, from Redis when any issue or stage already built it; otherwise
 * built from the checkout at `dir`, incrementally from the newest earlier briefing (files
 * whose blob is unchanged are not read again), then cached for every later stage.
 */
export async function loadBriefing(rt: Runtime, repo: BriefingRepo, dir: string, sha: string): Promise<{ briefing: Briefing; built: boolean }> {
  const cached = await readCached(rt, repo.repoId, sha);
  if (cached) return { briefing: cached, built: false };
  const previous = await latestBriefing(rt, repo.repoId);
  const briefing = await buildBriefing(dir, `${repo.owner}/${repo.repo}`, sha, previous);
  await rt.redis.set(keys.briefing(rt, repo.repoId, sha), JSON.stringify(briefing), "EX", BRIEFING_TTL_SECONDS);
  await rt.redis.set(keys.briefingLatest(rt, repo.repoId), sha, "EX", BRIEFING_TTL_SECONDS);
  rt.log.info({ repo: briefing.repo, sha, from: previous?.sha, changed: briefing.changed_files, files: briefing.files.length }, "briefing built");
  return { briefing, built: true };
}
