import { LRUCache } from "lru-cache";
import { formatProblems, parseConfig, parseConfigText, type ConfigResult } from "../config/parse-config.js";
import { keys, type Runtime } from "../runtime.js";
import { readRepoFile } from "../github/read-repo-file.js";
import type { GitHub, RepoRef } from "../github/types.js";

export const CONFIG_PATH = ".github/baton.yml";

/**
 * Configs this process validated, by their cached text and the operator's agent allowlists
 * (both decide the result): every job of a repository reads the same text, and the schema,
 * merge and graph checks were a few per cent of a worker's CPU. Results are frozen, since
 * jobs share them.
 */
const parsedConfigs = new LRUCache<string, ConfigResult>({ max: 100 });

function parseCached(rt: Runtime, text: string): ConfigResult {
  const key = JSON.stringify([rt.env.BATON_AGENT_ALLOWED_ARGS, rt.env.BATON_AGENT_ALLOWED_TOOLS, text]);
  let result = parsedConfigs.get(key);
  if (!result) parsedConfigs.set(key, (result = deepFreeze(parseConfig(JSON.parse(text), rt.env))));
  return result;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The pipeline a repository runs with. Reads `.github/baton.yml` through Probot's config
 * plugin (so `_extends` and an org-wide `.github` repository work), caches the raw file per
 * repository in Redis (a push that touches it clears the cache), and validates it.
 * A file that does not parse as YAML is read again as text to report line and column.
 */
export async function loadPipeline(rt: Runtime, github: GitHub, ref: RepoRef): Promise<ConfigResult> {
  const cacheKey = keys.config(rt, ref.repoId);
  const cached = await rt.redis.get(cacheKey);
  if (cached !== null) return parseCached(rt, cached);
  let raw: unknown;
  try {
    const { config } = await github.config.get({ owner: ref.owner, repo: ref.repo, path: CONFIG_PATH });
    raw = config;
  } catch (error) {
    if (!/could not be parsed|invalid YAML/i.test((error as Error).message)) throw error;
    return parseConfigText((await readRepoFile(github, ref, CONFIG_PATH)) ?? "", rt.env);
  }
  const text = JSON.stringify(raw ?? null);
  await rt.redis.set(cacheKey, text, "PX", rt.env.BATON_CONFIG_TTL);
  return parseCached(rt, text);
}

/** Forgets a repository's cached config (a push changed it). */
export async function forgetConfig(rt: Runtime, repoId: number): Promise<void> {
  await rt.redis.del(keys.config(rt, repoId));
}

/** The comment an issue gets when the repository's config is invalid. */
export function renderConfigError(result: Extract<ConfigResult, { ok: false }>): string {
  return [
    `**Baton did not start: \`${CONFIG_PATH}\` is invalid.**`,
    "",
    "```",
    formatProblems(result.problems),
    "```",
    "",
    `Fix the file (check it locally with \`npx baton validate ${CONFIG_PATH}\`), then apply the label again.`,
  ].join("\n");
}
