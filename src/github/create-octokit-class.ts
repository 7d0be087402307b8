import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";
import type { Metrics } from "../observe/metrics.js";
import type { Redact } from "./redact-secrets.js";

/** Request options that address the request rather than carry text Baton wrote. */
const NOT_CONTENT = new Set(["method", "url", "baseUrl", "headers", "mediaType", "request", "content", "encoding", "sha", "ref", "base", "head"]);

/** A copy of `value` with every string inside it (objects and arrays walked) redacted. */
function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  // Plain objects only: a Buffer or stream (an upload) is passed through untouched.
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  return value;
}

/**
 * The one redaction step of everything Baton writes to GitHub: comment, PR and review
 * bodies, titles, review comments (any string of a POST, PATCH or PUT), on the final text,
 * `json baton` blocks included. Callers need not remember to redact.
 */
function redactWrites(redact: Redact) {
  return (octokit: Pick<ProbotOctokit, "hook">) => {
    octokit.hook.before("request", (options) => {
      if (!["POST", "PATCH", "PUT"].includes(options.method)) return;
      const params = options as Record<string, unknown>;
      for (const [key, value] of Object.entries(params)) if (!NOT_CONTENT.has(key)) params[key] = redactDeep(value, redact);
    });
  };
}

/** Counts every GitHub request by method and status, and keeps the latest rate-limit headroom. */
function countRequests(metrics: RequestMetrics) {
  return (octokit: Pick<ProbotOctokit, "hook">, options: { [option: string]: unknown }) => {
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
  };
}

/** GitHub's published secondary limit: 80 content-creating requests a minute per installation. */
const GITHUB_COM_PACE_MS = 750;
/** Stay well under GitHub's 100 concurrent requests. */
const MAX_CONCURRENT = 50;
/** Retries of a rate-limited request before the job's own retry takes over. */
const MAX_RATE_LIMIT_RETRIES = 3;

/** The series every GitHub request updates. */
type RequestMetrics = Pick<Metrics, "githubRequests" | "githubRateLimitRemaining">;

export interface PacingOptions {
  /** The runtime's registry, where requests are counted. */
  metrics: RequestMetrics;
  /** Minimum gap between content-creating requests of one installation; 0 = no pacing. */
  paceMs: number;
  /** Base of Octokit's retry backoff for 5xx answers (retry n waits n² × this). */
  retryBaseMs?: number;
  /** How long a secondary rate limit without `retry-after` waits (GitHub asks for at least a minute). */
  secondaryFallbackSeconds?: number;
  /** The redaction step of every write: the secrets of the environment the runtime was given. */
  redact: Redact;
}

/** github.com is paced at GitHub's published limits; Enterprise Server (limits off by default) is not. */
export function defaultPaceMs(env: { GHE_HOST?: string; BATON_GITHUB_PACE?: number }): number {
  return env.BATON_GITHUB_PACE ?? (env.GHE_HOST ? 0 : GITHUB_COM_PACE_MS);
}

/**
 * Probot's Octokit with throttling Baton can live with (docs/architecture.md §9). Probot's defaults only
 * log secondary rate limits and pace every installation at one write a second; here both
 * limits wait for `retry-after` and retry, and pacing is per installation (the plugin keys
 * its limiter groups by installation id) at `paceMs`.
 */
export function createOctokitClass({ metrics, paceMs, retryBaseMs = 1000, secondaryFallbackSeconds = 60, redact }: PacingOptions): typeof ProbotOctokit {
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
  return ProbotOctokit.plugin(countRequests(metrics), redactWrites(redact)).defaults(
    (options: Record<string, unknown> & { throttle?: Record<string, unknown> }) => ({
      ...options,
      retry: { retryAfterBaseValue: retryBaseMs, ...(options.retry as object | undefined) },
      throttle: {
        ...options.throttle,
        ...(options.throttle?.enabled === false ? {} : groups),
        fallbackSecondaryRateRetryAfter: secondaryFallbackSeconds,
        onRateLimit: retryLimited,
        onSecondaryRateLimit: retryLimited,
      },
    }),
  ) as typeof ProbotOctokit;
}
