import type { IssueRef } from "../github/types.js";
import { keys, type Runtime } from "../runtime.js";
import { enqueueIntake } from "./enqueue-intake.js";
import { IntakeJob } from "./job-data.js";

/** A parked label is forgotten after this long (the reconciler sweeps what is left on the issue). */
const PARKED_TTL_S = 7 * 24 * 3600;

/**
 * One stage per issue at a time: an input label that arrived while another stage held the
 * issue stays on it, unclaimed, and is parked here with the request that brought it (its
 * sender was already checked against the permissions).
 */
export async function parkLabel(rt: Runtime, data: IntakeJob): Promise<void> {
  const key = keys.parkedLabels(rt, data.issue.repoId, data.issue.number);
  await rt.redis.multi().hset(key, data.label, JSON.stringify(data)).expire(key, PARKED_TTL_S).exec();
}

/**
 * Once the holding stage has handed off, each parked label goes back to intake as the same
 * request (no GitHub call: the issue's labels are re-read when it is claimed, under the
 * per-issue lock, where exactly one claim wins).
 */
export async function enqueueWaitingLabels(rt: Runtime, ref: IssueRef, runId: string): Promise<number> {
  const key = keys.parkedLabels(rt, ref.repoId, ref.number);
  const [[, parked]] = (await rt.redis.multi().hgetall(key).del(key).exec()) as [[null, Record<string, string>], unknown];
  const requests = Object.values(parked ?? {}).flatMap((text) => {
    const data = IntakeJob.safeParse(JSON.parse(text));
    return data.success
      ? [
          {
            jobId: `handoff-${runId}-${data.data.label.replace(/:/g, "_")}`,
            data: { ...data.data, deliveryId: `handoff-${runId}`, transition: undefined, claimed: undefined },
          },
        ]
      : [];
  });
  return enqueueIntake(rt, requests);
}
