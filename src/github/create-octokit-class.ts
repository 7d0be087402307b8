import { ProbotOctokit } from "probot";
import type { Metrics } from "../observe/metrics.js";
import type { Redact } from "./redact-secrets.js";
import { requestLimits, type WriteSlots } from "./request-limits.js";

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

/** The installation an Octokit acts for ("app" for the app's own JWT): the pacing group and metrics label of its requests. */
function installationOf(options: { [option: string]: unknown }): string {
  const id = (options.auth as { installationId?: number | string } | undefined)?.installationId;
  return id === undefined ? "app" : String(id);
}

/** Counts every GitHub request by method and status, and keeps the latest rate-limit headroom. */
function countRequests(metrics: RequestMetrics) {
  return (octokit: Pick<ProbotOctokit, "hook">, options: { [option: string]: unknown }) => {
    const installation = installationOf(options);
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

/** GitHub's published secondary limits: 80 content-creating requests a minute per installation, and 500 an hour. */
const GITHUB_COM_PACE_MS = 750;
const GITHUB_COM_WRITES_PER_HOUR = 500;

/** The series every GitHub request updates. */
type RequestMetrics = Pick<Metrics, "githubRequests" | "githubRateLimitRemaining">;

export interface PacingOptions {
  /** The runtime's registry, where requests are counted. */
  metrics: RequestMetrics;
  /** Minimum gap between content-creating requests of one installation; 0 = no pacing. */
  paceMs: number;
  /** Most content-creating requests of one installation per `budgetWindowMs` (an hour); 0 = no budget. */
  writeBudget?: number;
  budgetWindowMs?: number;
  /** Base of Octokit's retry backoff for 5xx answers (retry n waits n² × this). */
  retryBaseMs?: number;
  /** How long a secondary rate limit without `retry-after` waits (GitHub asks for at least a minute). */
  secondaryFallbackSeconds?: number;
  /** The redaction step of every write: the secrets of the environment the runtime was given. */
  redact: Redact;
  /** Where writes are paced across processes; without it (the CLI), per process. */
  slots?: WriteSlots;
}

/** github.com is paced at GitHub's published limits; Enterprise Server (limits off by default) is not. The env settings override either. */
export function defaultLimits(env: { GHE_HOST?: string; BATON_GITHUB_PACE?: number; BATON_GITHUB_WRITES_PER_HOUR?: number }) {
  const onGitHubCom = !env.GHE_HOST;
  return {
    paceMs: env.BATON_GITHUB_PACE ?? (onGitHubCom ? GITHUB_COM_PACE_MS : 0),
    writeBudget: env.BATON_GITHUB_WRITES_PER_HOUR ?? (onGitHubCom ? GITHUB_COM_WRITES_PER_HOUR : 0),
  };
}

/**
 * Probot's Octokit with Baton's handling of GitHub's limits (request-limits.ts,
 * docs/architecture.md §9) in place of Probot's retry and throttling plugins: writes of an
 * installation paced at `paceMs` and within `writeBudget` an hour across every process,
 * limited answers waited out and retried, other failures retried with backoff.
 */
export function createOctokitClass({ metrics, redact, retryBaseMs = 1000, secondaryFallbackSeconds = 60, ...pacing }: PacingOptions): typeof ProbotOctokit {
  const limits = requestLimits({ ...pacing, retryBaseMs, secondaryFallbackSeconds });
  return ProbotOctokit.plugin(countRequests(metrics), redactWrites(redact), (octokit, options) => limits(octokit, installationOf(options))).defaults(
    (options: Record<string, unknown>) => ({
      ...options,
      throttle: { enabled: false },
      retry: { enabled: false },
    }),
  ) as typeof ProbotOctokit;
}
