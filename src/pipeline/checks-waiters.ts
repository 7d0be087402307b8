import { DelayedError, type Job } from "bullmq";
import type { StageWait } from "../errors.js";
import type { IssueRef } from "../github/types.js";
import { keys, type Runtime } from "../runtime.js";
import type { StageJob } from "./job-data.js";
import { stageQueue } from "./queues.js";

/**
 * Review runs waiting for their PR's checks (docs/architecture.md §11): the run's job is put
 * back as delayed (BullMQ's `moveToDelayed` with the job's token, then `DelayedError`), so
 * it holds no worker and no run slot; its claim label stays on, so no other stage claims
 * the issue meanwhile. A completed check run, check suite or status wakes it at once.
 */

/** When a check event last arrived for an issue; kept an hour, longer than any wait needs to see it. */
const wokeKey = (rt: Runtime, ref: Pick<IssueRef, "repoId" | "number">) => keys.checksEvent(rt, ref.repoId, ref.number);
const WOKE_TTL_S = 3600;
/** Clocks of processes sharing one Redis may differ a little: a wake this close to the read counts (a needless wake costs one read of the checks). */
const CLOCK_SLACK_MS = 1_000;

/** Puts the waiting run back as delayed until `wait.until`; a check event that came while it read the checks wakes it at once. */
export async function delayForChecks(rt: Runtime, job: Job<StageJob>, wait: StageWait, token: string | undefined): Promise<never> {
  // The claim's snapshot of the issue is stale by the time the run wakes: read it again then.
  await job.updateData({ ...job.data, snapshot: undefined, waitingSince: job.data.waitingSince ?? wait.since });
  await job.moveToDelayed(wait.until, token);
  const woke = Number(await rt.redis.get(wokeKey(rt, job.data.issue)));
  if (woke >= wait.checkedAt - CLOCK_SLACK_MS) await job.promote().catch(() => {});
  throw new DelayedError();
}

/**
 * A check or status on the issue's PR completed: a review run waiting for checks looks
 * again now rather than at its next poll. The note is written before the scan, so a run
 * that is between reading the checks and going to sleep sees it (`delayForChecks`).
 */
export async function wakeChecksWaiters(rt: Runtime, ref: IssueRef): Promise<boolean> {
  await rt.redis.set(wokeKey(rt, ref), String(Date.now()), "EX", WOKE_TTL_S);
  const delayed = await stageQueue(rt.queues, "review").getDelayed();
  let woke = false;
  for (const job of delayed.filter((j) => j.data.waitingSince !== undefined && j.data.issue.repoId === ref.repoId && j.data.issue.number === ref.number)) {
    // It may have woken by itself meanwhile: then it is reading the checks already.
    woke =
      (await job.promote().then(
        () => true,
        () => false,
      )) || woke;
  }
  return woke;
}
