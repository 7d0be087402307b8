import { CronExpressionParser } from "cron-parser";
import type { Pipeline, Stage } from "../../config/resolve-pipeline.js";
import { listComments } from "../../github/list-comments.js";
import { swapLabel } from "../../github/labels.js";
import type { GitHub, IssueRef, RepoRef } from "../../github/types.js";
import { keys, type Runtime } from "../../runtime.js";
import { blockIssue } from "../block-issue.js";
import { enqueueIntake } from "../enqueue-intake.js";
import { stageRunId } from "../job-data.js";
import { stageQueue } from "../queues.js";
import { listLabelledIssues } from "./list-labelled-issues.js";
import { planLabels } from "../../stages/plan/plan-labels.js";
import { trackPlan } from "../track-plan.js";
import { withIssueLock } from "../with-issue-lock.js";

/** Issues a scheduled stage takes per sweep, so a big backlog is worked through in batches. */
const SCHEDULE_BATCH = 50;
const LIVE_STATES = new Set(["active", "waiting", "delayed", "prioritized", "waiting-children"]);

export interface SweepCounts {
  lost: number;
  stuck: number;
  scheduled: number;
  /** Plan parents brought up to date (a sub-issue's `labeled`/`closed` webhook may have been lost). */
  tracked: number;
}

/**
 * One repository's sweep:
 * 1. Input labels with no job (a lost webhook) → an intake request, the webhook's own path.
 * 2. Claim labels whose job is gone, past the stage's timeout → the input label again, once;
 *    the second time → blocked with a comment.
 * 3. Scheduled stages whose cron fired since the last sweep → a batch of their label.
 * 4. Plan parents waiting at their tracking label → brought up to date, as a sub-issue's
 *    webhook would (promotion and the task table are idempotent under the parent's lock).
 */
export async function sweepRepository(rt: Runtime, github: GitHub, repo: RepoRef, pipeline: Pipeline, sweepId: string, now = new Date()): Promise<SweepCounts> {
  const counts: SweepCounts = { lost: 0, stuck: 0, scheduled: 0, tracked: 0 };
  for (const stage of pipeline.stages) {
    if (stage.schedule) {
      if (await cronFiredSinceLastSweep(rt, repo, stage, now))
        counts.scheduled += await requestIntakes(rt, github, repo, stage, `sched-${sweepId}`, SCHEDULE_BATCH);
    } else {
      counts.lost += await requestIntakes(rt, github, repo, stage, `rec-${sweepId}`);
    }
    counts.stuck += await recoverStuckClaims(rt, github, repo, pipeline, stage, now);
  }
  const { tracking } = planLabels(pipeline);
  for (const parent of tracking ? await listLabelledIssues(github, repo, tracking) : []) {
    const ref = { ...repo, number: parent.number };
    await withIssueLock(rt, repo.repoId, parent.number, () => trackPlan(rt, github, ref));
    counts.tracked++;
  }
  return counts;
}

async function requestIntakes(rt: Runtime, github: GitHub, repo: RepoRef, stage: Stage, sweepId: string, limit?: number): Promise<number> {
  const issues = await listLabelledIssues(github, repo, stage.on, limit);
  await enqueueIntake(
    rt,
    issues.map((issue) => ({
      jobId: `${sweepId}-${repo.repoId}-${issue.number}-${stage.name}`,
      data: {
        deliveryId: `${sweepId}-${repo.repoId}-${issue.number}`,
        source: "reconcile" as const,
        issue: { ...repo, number: issue.number },
        label: stage.on,
        sender: { login: "baton-reconciler", type: "Bot" },
      },
    })),
  );
  return issues.length;
}

async function recoverStuckClaims(rt: Runtime, github: GitHub, repo: RepoRef, pipeline: Pipeline, stage: Stage, now: Date): Promise<number> {
  let recovered = 0;
  for (const issue of await listLabelledIssues(github, repo, stage.claim)) {
    if (now.getTime() - Date.parse(issue.updated_at) < stage.timeout_ms) continue;
    const ref: IssueRef = { ...repo, number: issue.number };
    const transition = Number(await rt.redis.get(keys.transitions(rt, repo.repoId, issue.number))) || 0;
    const runId = stageRunId(ref, stage.name, transition);
    const job = transition ? await stageQueue(rt.queues, stage.kind).getJob(runId) : undefined;
    if (job && LIVE_STATES.has(await job.getState())) continue;
    const requeuedKey = keys.stuckRequeued(rt, `${repo.repoId}-${issue.number}-${stage.name}`);
    if (await rt.redis.set(requeuedKey, runId, "EX", 7 * 24 * 3600, "NX")) {
      // Re-applying the input label as the bot sends it through intake like any handoff.
      await swapLabel(github, ref, stage.claim, stage.on);
    } else {
      await blockIssue(github, ref, pipeline, {
        reason: `the ${stage.name} stage was claimed but no worker is running it, twice (the worker may have died, or Redis lost its queue).`,
        stage,
        fromLabel: stage.claim,
        runId: `stuck-${runId}`,
        comments: await listComments(github, ref, await rt.appIdentity()),
      });
      await rt.redis.del(requeuedKey);
    }
    recovered++;
  }
  return recovered;
}

/** True once per cron firing: the first sweep after each scheduled time. */
async function cronFiredSinceLastSweep(rt: Runtime, repo: RepoRef, stage: Stage, now: Date): Promise<boolean> {
  const key = keys.scheduleSwept(rt, repo.repoId, stage.name);
  const last = Number(await rt.redis.get(key));
  const previousFire = CronExpressionParser.parse(stage.schedule ?? "", { currentDate: now })
    .prev()
    .getTime();
  if (last && last >= previousFire) return false;
  await rt.redis.set(key, String(now.getTime()), "EX", 30 * 24 * 3600);
  return true;
}
