import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { STAGE_KINDS, type StageKind } from "../config/schema.js";
import type { IntakeJob, StageJob } from "./job-data.js";
import { REPO_QUEUE, type RepoTask } from "./repo-tasks.js";

export const INTAKE_QUEUE = "intake";
export const RECONCILE_QUEUE = "reconcile";
export function stageQueueName(kind: StageKind): string {
  return `stage-${kind}`;
}

export interface Queues {
  intake: Queue<IntakeJob>;
  stages: Map<StageKind, Queue<StageJob>>;
  reconcile: Queue;
  /** Repository-level work: label bootstrap, config check runs. */
  repo: Queue<RepoTask>;
  /** Every queue above, for dashboards, metrics and clean-up. */
  all: Queue[];
  close(): Promise<void>;
}

/** Opens every queue Baton uses on one shared connection (producers need no blocking client). */
export function openQueues(redis: Redis, prefix: string): Queues {
  // Nothing in Baton reads BullMQ's event streams (no QueueEvents): keep the last 1,000
  // events per queue for debugging instead of BullMQ's 10,000 (docs/architecture.md §3).
  const opts = { connection: redis, prefix, streams: { events: { maxLen: 1000 } } };
  const intake = new Queue<IntakeJob>(INTAKE_QUEUE, opts);
  const stages = new Map(STAGE_KINDS.map((kind) => [kind, new Queue<StageJob>(stageQueueName(kind), opts)] as const));
  const reconcile = new Queue(RECONCILE_QUEUE, opts);
  const repo = new Queue<RepoTask>(REPO_QUEUE, opts);
  const all = [intake, reconcile, repo, ...stages.values()];
  return {
    intake,
    stages,
    reconcile,
    repo,
    all,
    close: async () => {
      await Promise.all(all.map((q) => q.close()));
    },
  };
}

export function stageQueue(queues: Queues, kind: StageKind): Queue<StageJob> {
  const queue = queues.stages.get(kind);
  if (!queue) throw new Error(`no queue for stage kind ${kind}`);
  return queue;
}
