import type { Redis } from "ioredis";
import type { ProbotOctokit } from "probot";

/**
 * How Baton's GitHub requests live with GitHub's limits (docs/architecture.md §9), in place of
 * the retry and throttling plugins Probot's Octokit carries. Those schedule every request
 * through Bottleneck limiters that yield to the timer queue several times a request (about
 * 5 ms each on an idle machine: 16 ms for a GET against a local server that answers in 1 ms),
 * and their pacing lives in one process's memory, so n workers wrote n times GitHub's limit.
 *
 * - Writes of one installation are paced cluster-wide: each takes the next free slot from a
 *   Redis key (one script call; only where pacing is on, github.com by default), at least
 *   `paceMs` after the one before and, once the installation has spent its hourly budget
 *   (GitHub's 500 content-creating requests an hour), as the budget refills. The CLI, which
 *   has no Redis connection, keeps only the gap, in its own memory.
 * - A limited answer is waited out and retried, up to MAX_RATE_LIMIT_RETRIES times: a
 *   secondary limit (403 or 429 saying so, or with `retry-after`) for `retry-after` seconds
 *   (else `secondaryFallbackSeconds`), and where writes are paced every process's writes of
 *   that installation wait with it; the primary limit (`x-ratelimit-remaining: 0`) until
 *   `x-ratelimit-reset`.
 * - Any other failure GitHub may get over (5xx, 409, a network error, which Octokit reports
 *   as 500) is retried up to MAX_RETRIES times, retry n after n² × `retryBaseMs`.
 */
export interface RequestLimitOptions {
  /** Minimum gap between writes of one installation; 0: no pacing. */
  paceMs: number;
  /** Most writes of one installation per `budgetWindowMs` (a token bucket refilled evenly), with Redis only; 0: no budget. */
  writeBudget?: number;
  /** The budget's window: an hour, GitHub's. */
  budgetWindowMs?: number;
  /** Base of the backoff of retried failures. */
  retryBaseMs: number;
  /** How long a secondary limit without `retry-after` waits (GitHub asks for at least a minute). */
  secondaryFallbackSeconds: number;
  /** Where the installations' write slots are kept, by key; without it (the CLI), in this process's memory. */
  slots?: WriteSlots;
}

export interface WriteSlots {
  redis: Redis;
  /** The Redis key of an installation's next free write slot (its budget is kept beside it, at this key + ":budget"). */
  key: (installation: string) => string;
}

/** Retries of a rate-limited request before the job's own retry takes over. */
const MAX_RATE_LIMIT_RETRIES = 3;
/** Retries of other failures, as Octokit's retry plugin did. */
const MAX_RETRIES = 3;
/** Answers that say the request itself is wrong: retrying cannot help. */
const DO_NOT_RETRY = new Set([400, 401, 403, 404, 410, 422, 451]);

/**
 * Takes the installation's next write slot, no sooner than ARGV[2] ms from now, and moves the
 * next free slot ARGV[1] ms past it; answers how long to wait for it. With a budget (ARGV[3]
 * writes per ARGV[4] ms, a token bucket in KEYS[2] refilled evenly from full), a slot with no
 * token left moves on to when the next one refills. Slots only move forward, so the bucket is
 * refilled up to each slot's time. Redis's clock, so processes on different machines agree.
 */
const TAKE_SLOT = `
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local pace, budget, window = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
local at = math.max(tonumber(redis.call("GET", KEYS[1]) or "0"), now + tonumber(ARGV[2]))
if budget > 0 then
  local held = redis.call("HMGET", KEYS[2], "tokens", "at")
  local tokens = tonumber(held[1]) or budget
  local last = tonumber(held[2]) or at
  tokens = math.min(budget, tokens + math.max(at - last, 0) * budget / window)
  if tokens < 1 then
    at = at + math.ceil((1 - tokens) * window / budget)
    tokens = 1
  end
  redis.call("HSET", KEYS[2], "tokens", tostring(tokens - 1), "at", at)
  redis.call("PEXPIRE", KEYS[2], at - now + window)
end
local following = at + pace
redis.call("SET", KEYS[1], following, "PX", following - now + 1000)
return at - now`;

interface Failure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** What to do about a failed request: wait and retry (`limited`: a rate limit), or give up (undefined). */
function retryAfterFailure(
  error: Failure,
  attempt: number,
  options: Pick<RequestLimitOptions, "retryBaseMs" | "secondaryFallbackSeconds">,
): { waitMs: number; limited: boolean } | undefined {
  const status = error.status ?? 0;
  const headers = error.response?.headers ?? {};
  if (status === 403 || status === 429) {
    if (attempt >= MAX_RATE_LIMIT_RETRIES) return undefined;
    const retryAfter = Number(headers["retry-after"]);
    if (/\bsecondary rate\b/i.test(error.message ?? "") || Number.isFinite(retryAfter)) {
      return { waitMs: (retryAfter > 0 ? retryAfter : options.secondaryFallbackSeconds) * 1000, limited: true };
    }
    if (String(headers["x-ratelimit-remaining"]) === "0") {
      // One second past the reset, as GitHub asks.
      return { waitMs: Math.max(Number(headers["x-ratelimit-reset"]) * 1000 - Date.now() + 1000, 0), limited: true };
    }
  }
  if (status >= 400 && !DO_NOT_RETRY.has(status) && attempt < MAX_RETRIES) return { waitMs: (attempt + 1) ** 2 * options.retryBaseMs, limited: false };
  return undefined;
}

/** Minting an installation token is not a write GitHub's content limits count. */
const isTokenRequest = (options: { method: string; url: string }) =>
  options.method === "POST" && /\/app\/installations\/[^/]+\/access_tokens$/.test(options.url);

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** The Octokit plugin: `installation` names the pacing group of the instance (its installation id, or "app"). */
export function requestLimits(limits: RequestLimitOptions) {
  const { paceMs, slots, writeBudget = 0, budgetWindowMs = 3_600_000 } = limits;
  const localSlots = new Map<string, number>();
  const takeSlot = async (installation: string, notBeforeMs: number): Promise<number> => {
    if (slots) {
      const key = slots.key(installation);
      return Number(await slots.redis.eval(TAKE_SLOT, 2, key, `${key}:budget`, paceMs, Math.round(notBeforeMs), writeBudget, budgetWindowMs));
    }
    const now = Date.now();
    const at = Math.max(localSlots.get(installation) ?? 0, now + notBeforeMs);
    localSlots.set(installation, at + paceMs);
    return at - now;
  };

  return (octokit: Pick<ProbotOctokit, "hook" | "log">, installation: string) => {
    octokit.hook.wrap("request", async (request, options) => {
      const paced =
        (paceMs > 0 || (writeBudget > 0 && slots !== undefined)) && options.method !== "GET" && options.method !== "HEAD" && !isTokenRequest(options);
      if (paced) await sleep(await takeSlot(installation, 0));
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(options);
        } catch (error) {
          const retry = retryAfterFailure(error as Failure, attempt, limits);
          if (!retry) throw error;
          if (retry.limited)
            octokit.log.warn(`GitHub rate limit on ${options.method} ${options.url}: retry ${attempt + 1} in ${Math.ceil(retry.waitMs / 1000)} s`);
          if (paced && retry.limited) {
            // The limit pushes the installation's line back, for every process's writes.
            await sleep(await takeSlot(installation, retry.waitMs));
            continue;
          }
          await sleep(retry.waitMs);
          if (paced) await sleep(await takeSlot(installation, 0));
        }
      }
    });
  };
}
