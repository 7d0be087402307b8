import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";
import { metrics } from "../observe/metrics.js";

/** Counts every GitHub request by method and status, and keeps the latest rate-limit headroom. */
function countRequests(octokit: Pick<ProbotOctokit, "hook">, options: { [option: string]: unknown }) {
  const installation = (options.throttle as { id?: string } | undefined)?.id ?? "app";
  octokit.hook.after("request", (response, request) => {
    metrics.githubRequests.inc({ method: request.method, status: String(response.status) });
    const remaining = Number(response.headers["x-ratelimit-remaining"]);
    if (Number.isFinite(remaining)) metrics.githubRateLimitRemaining.set({ installation }, remaining);
  });
  octokit.hook.error("request", (error, request) => {
    metrics.githubRequests.inc({ method: request.method, status: String((error as { status?: number }).status ?? "network") });
    throw error;
  });
}

/** GitHub's published secondary limit: 80 content-creating requests a minute per installation. */
const GITHUB_COM_PACE_MS = 750;
/** Stay well under GitHub's 100 concurrent requests. */
const MAX_CONCURRENT = 50;
/** Retries of a rate-limited request before the job's own retry takes over. */
const MAX_RATE_LIMIT_RETRIES = 3;

export interface PacingOptions {
  /** Minimum gap between content-creating requests of one installation; 0 = no pacing. */
  paceMs: number;
  /** Base of Octokit's retry backoff for 5xx answers (retry n waits n² × this). */
  retryBaseMs?: number;
  /** How long a secondary rate limit without `retry-after` waits (GitHub asks for at least a minute). */
  secondaryFallbackSeconds?: number;
}

/** github.com is paced at GitHub's published limits; Enterprise Server (limits off by default) is not. */
export function defaultPaceMs(env: { GHE_HOST?: string; BATON_GITHUB_PACE?: number }): number {
  return env.BATON_GITHUB_PACE ?? (env.GHE_HOST ? 0 : GITHUB_COM_PACE_MS);
}

/**
 * Probot's Octokit with throttling Baton can live with (DESIGN §9). Probot's defaults only
 * log secondary rate limits and pace every installation at one write a second; here both
 * limits wait for `retry-after` and retry, and pacing is per installation (the plugin keys
 * its limiter groups by installation id) at `paceMs`.
 */
export function createOctokitClass({ paceMs, retryBaseMs = 1000, secondaryFallbackSeconds = 60 }: PacingOptions): typeof ProbotOctokit {
  // One set of limiter groups per process, shared by every per-job Octokit.
  const groups = {
    global: new Bottleneck.Group({ maxConcurrent: MAX_CONCURRENT }),
    write: new Bottleneck.Group({ maxConcurrent: paceMs > 0 ? 1 : MAX_CONCURRENT, minTime: paceMs > 0 ? 100 : 0 }),
    notifications: new Bottleneck.Group({ maxConcurrent: paceMs > 0 ? 1 : MAX_CONCURRENT, minTime: paceMs }),
  };
  const retryLimited = (retryAfter: number, options: { method: string; url: string }, octokit: ProbotOctokit, retryCount: number) => {
    octokit.log.warn(`GitHub rate limit on ${options.method} ${options.url}: retry ${retryCount + 1} in ${retryAfter} s`);
    return retryCount < MAX_RATE_LIMIT_RETRIES;
  };
  return ProbotOctokit.plugin(countRequests).defaults((options: Record<string, unknown> & { throttle?: Record<string, unknown> }) => ({
    ...options,
    retry: { retryAfterBaseValue: retryBaseMs, ...(options.retry as object | undefined) },
    throttle: {
      ...options.throttle,
      ...(options.throttle?.enabled === false ? {} : groups),
      fallbackSecondaryRateRetryAfter: secondaryFallbackSeconds,
      onRateLimit: retryLimited,
      onSecondaryRateLimit: retryLimited,
    },
  })) as typeof ProbotOctokit;
}
