import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { STAGE_KINDS, type StageKind } from "../config/schema.js";
import { concurrencyVar } from "../env.js";
import { createRedis } from "../redis.js";
import { keys, type Runtime } from "../runtime.js";
import type { IntakeJob, StageJob } from "./job-data.js";
import { processIntake } from "./process-intake.js";
import { processStage } from "./process-stage.js";
import { stageSlots, withSlots } from "./run-slots.js";
import { INTAKE_QUEUE, RECONCILE_QUEUE, REPO_QUEUE, stageQueueName } from "./queues.js";
import { processReconcile } from "./reconcile/process-reconcile.js";
import { processRepoTask, type RepoTask } from "./repo-tasks.js";

export interface Workers {
  all: Worker[];
  /** Stops taking jobs; waits up to `graceMs` for jobs in hand, then hands them back (they stall and run elsewhere). */
  close(graceMs: number): Promise<void>;
}

function stageConcurrency(rt: Runtime, kind: StageKind): number {
  return rt.env[concurrencyVar(kind)] ?? rt.env.BATON_CONCURRENCY;
}

/** Starts the intake worker and one worker per stage kind, each on its own Redis connection. */
export function startWorkers(rt: Runtime): Workers {
  const connections: Redis[] = [];
  const common = (concurrency: number) => ({
    connection: connections[connections.push(createRedis(rt.env.REDIS_URL)) - 1] as Redis,
    prefix: rt.prefix,
    concurrency,
    // A job whose worker died is taken back after this long (its lock expires).
    lockDuration: rt.env.BATON_STALL_INTERVAL,
    stalledInterval: rt.env.BATON_STALL_INTERVAL,
    maxStalledCount: 2,
  });
  const intake = new Worker<IntakeJob>(INTAKE_QUEUE, (job) => processIntake(rt, job), common(rt.env.BATON_CONCURRENCY_INTAKE));
  const stages = STAGE_KINDS.map(
    (kind) =>
      new Worker<StageJob>(
        stageQueueName(kind),
        (job, token, signal) => withSlots(rt, job, token, stageSlots(rt, job.data), () => processStage(rt, job, signal, token)),
        common(stageConcurrency(rt, kind)),
      ),
  );
  const repo = new Worker<RepoTask>(REPO_QUEUE, (job) => processRepoTask(rt, job), common(2));
  const reconcile = new Worker(RECONCILE_QUEUE, (job) => processReconcile(rt, job), common(1));
  const all = [intake, repo, reconcile, ...stages];
  // `/baton stop` may land in any process: every process cancels the run if it holds it.
  const subscriber = createRedis(rt.env.REDIS_URL);
  connections.push(subscriber);
  void subscriber.subscribe(keys.cancelChannel(rt));
  subscriber.on("message", (_channel: string, runId: string) => {
    for (const worker of stages) if (worker.cancelJob(runId, "stopped by /baton stop")) rt.log.info({ runId }, "run cancelled");
  });
  for (const worker of all) {
    worker.on("completed", () => rt.metrics.jobs.inc({ queue: worker.name, state: "completed" }));
    worker.on("failed", (job, error) => {
      rt.metrics.jobs.inc({ queue: worker.name, state: "failed" });
      rt.log.warn({ queue: worker.name, job: job?.id, err: error }, "job attempt failed");
    });
    worker.on("error", (error) => rt.log.error({ queue: worker.name, err: error }, "worker error"));
  }
  return {
    all,
    close: async (graceMs) => {
      const graceful = Promise.all(all.map((w) => w.close()));
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      if (timedOut) await Promise.all(all.map((w) => w.close(true)));
      // Connections passed in are ours to close, not BullMQ's.
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
