import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { BatonEnv } from "./env.js";
import type { AppIdentity } from "./github/app-identity.js";
import type { GitHub } from "./github/types.js";
import type { EventLog } from "./observe/events.js";
import type { Metrics } from "./observe/metrics.js";
import type { Queues } from "./pipeline/queues.js";

/**
 * What every part of Baton shares in one process: one Redis connection for commands, the
 * queues, the event log, the metrics registry, and a way to authenticate as an installation
 * per job. Built by `createRuntime` (src/create-runtime.ts), the one place that assembles it.
 */
export interface Runtime {
  /** Baton's settings, parsed once from the environment at the edge. */
  env: BatonEnv;
  /**
   * That environment as given: where agents' secrets (named in config) are read from and
   * what child processes get a scrubbed copy of. Modules never read `process.env` themselves.
   */
  processEnv: Readonly<NodeJS.ProcessEnv>;
  redis: Redis;
  /** Prefix of every Redis key (BullMQ's too). */
  prefix: string;
  queues: Queues;
  events: EventLog;
  /** This process's Prometheus registry and series (docs/architecture.md §7). */
  metrics: Metrics;
  log: Logger;
  /**
   * An Octokit for one installation (tokens are minted per call site, never stored), or
   * for the app itself (JWT) when no installation is given.
   */
  auth(installationId?: number): Promise<GitHub>;
  /** The login of Baton's own writes, `<app-slug>[bot]`. */
  botLogin(): Promise<string>;
  /** The app's id and bot login: what tells Baton's own comments from look-alikes (see app-identity.ts). */
  appIdentity(): Promise<AppIdentity>;
}

/** Redis key names, in one place. */
export const keys = {
  issueLock: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:lock:${repoId}:${issue}`,
  transitions: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:transitions:${repoId}:${issue}`,
  /** The transition number a person last restarted the loop budget at (`/baton retry`). */
  budgetBase: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:budget-base:${repoId}:${issue}`,
  role: (rt: Pick<Runtime, "prefix">, repoId: number, login: string) => `${rt.prefix}:role:${repoId}:${login}`,
  config: (rt: Pick<Runtime, "prefix">, repoId: number) => `${rt.prefix}:config:${repoId}`,
  labelsReady: (rt: Pick<Runtime, "prefix">, repoId: number, hash: string) => `${rt.prefix}:labels-ready:${repoId}:${hash}`,
  events: (rt: Pick<Runtime, "prefix">) => `${rt.prefix}:events`,
  stuckRequeued: (rt: Pick<Runtime, "prefix">, runId: string) => `${rt.prefix}:stuck-requeued:${runId}`,
  scheduleSwept: (rt: Pick<Runtime, "prefix">, repoId: number, stage: string) => `${rt.prefix}:schedule-swept:${repoId}:${stage}`,
  cancelChannel: (rt: Pick<Runtime, "prefix">) => `${rt.prefix}:cancel`,
  installationSlots: (rt: Pick<Runtime, "prefix">, installationId: number) => `${rt.prefix}:slots:${installationId}`,
  /** When an installation's next GitHub write may go (src/github/request-limits.ts): pacing shared by every process. */
  writePace: (rt: Pick<Runtime, "prefix">, installation: string) => `${rt.prefix}:write-pace:${installation}`,
  /** Input labels that waited for another stage to hand off (one stage per issue at a time). */
  parkedLabels: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:parked:${repoId}:${issue}`,
  repoInfo: (rt: Pick<Runtime, "prefix">, repoId: number) => `${rt.prefix}:repo-info:${repoId}`,
  /** Set by `/baton stop` for a run, so a run that has not started yet does not start. */
  stopped: (rt: Pick<Runtime, "prefix">, runId: string) => `${rt.prefix}:stopped:${runId}`,
  /** Labels `baton run --to` stopped the issue at: Baton's own handoff does not claim them. */
  hold: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:hold:${repoId}:${issue}`,
  stageSlots: (rt: Pick<Runtime, "prefix">, repoId: number, stage: string) => `${rt.prefix}:stage-slots:${repoId}:${stage}`,
  redelivered: (rt: Pick<Runtime, "prefix">, guid: string) => `${rt.prefix}:redelivered:${guid}`,
  /** The scout's briefing of a repository at one commit (shared by every issue and stage on it). */
  briefing: (rt: Pick<Runtime, "prefix">, repoId: number, sha: string) => `${rt.prefix}:briefing:${repoId}:${sha}`,
  /** The commit of the newest briefing of a repository: the base of an incremental rebuild. */
  briefingLatest: (rt: Pick<Runtime, "prefix">, repoId: number) => `${rt.prefix}:briefing-latest:${repoId}`,
  /** Held by whoever builds the briefing of a commit, so two stages on it build it once. */
  briefingLock: (rt: Pick<Runtime, "prefix">, repoId: number, sha: string) => `${rt.prefix}:briefing-lock:${repoId}:${sha}`,
  /** A repository's knowledge entries (lessons, specs, verdicts): a hash, one field per entry. */
  knowledge: (rt: Pick<Runtime, "prefix">, repoId: number) => `${rt.prefix}:knowledge:${repoId}`,
  /** Labels Baton's whole-set writes remove on purpose (a set; each of its own `unlabeled` deliveries crosses one off). */
  labelIntents: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:label-intents:${repoId}:${issue}`,
  /** Baton's recent whole-set label writes (JSON, newest first): what the put-back of a clobbered label compares with. */
  labelWrites: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:label-writes:${repoId}:${issue}`,
  /** Labels Baton just added that start no stage: their `labeled` deliveries need no intake job. */
  labelQuietAdds: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:label-quiet-adds:${repoId}:${issue}`,
  /** Labels people took off since the claim read the issue (the handoff leaves them off). */
  labelsRemovedByPeople: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:labels-removed:${repoId}:${issue}`,
  /** Set when Baton comments on an issue whose stage skipped reading comments back (quiet-issue.ts). */
  batonCommented: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:baton-commented:${repoId}:${issue}`,
  /** When a check or status event last arrived for an issue's PR: wakes a review waiting for checks. */
  checksEvent: (rt: Pick<Runtime, "prefix">, repoId: number, issue: number) => `${rt.prefix}:checks-event:${repoId}:${issue}`,
};
