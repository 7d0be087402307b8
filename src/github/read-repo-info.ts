import { z } from "zod";
import { keys, type Runtime } from "../runtime.js";
import type { GitHub, RepoRef } from "./types.js";

/** What stages need of a repository to clone it: where from and which branch is the base. */
export const RepoInfo = z.object({ clone_url: z.string(), default_branch: z.string() });
export type RepoInfo = z.infer<typeof RepoInfo>;

/**
 * Neither changes often, and every stage that reads code needs them: one `GET /repos` per
 * repository every few minutes instead of one per stage (the calls per transition are what
 * GitHub's limits ration). Redis only caches; losing it costs one request.
 */
const REPO_INFO_TTL_S = 300;

export async function readRepoInfo(rt: Runtime, github: GitHub, ref: RepoRef): Promise<RepoInfo> {
  const key = keys.repoInfo(rt, ref.repoId);
  const cached = RepoInfo.safeParse(JSON.parse((await rt.redis.get(key)) ?? "null"));
  if (cached.success) return cached.data;
  const { data } = await github.rest.repos.get({ owner: ref.owner, repo: ref.repo });
  const info: RepoInfo = { clone_url: data.clone_url, default_branch: data.default_branch };
  await rt.redis.set(key, JSON.stringify(info), "EX", REPO_INFO_TTL_S);
  return info;
}
