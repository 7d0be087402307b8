import { DelayedError, type Job } from "bullmq";
import { keys, type Runtime } from "../runtime.js";
import type { StageJob } from "./job-data.js";

/**
 * Concurrency limits that hold across every worker process: a Redis sorted set per limit
 * (one installation; one stage of one repository) of the runs holding a slot, scored by
 * when the hold expires, so a dead worker's slot frees itself. A run takes a slot in every
 * set it needs or in none, in one script, so racing workers cannot overbook.
 *
 * KEYS: the sets. ARGV: now, expiry, run id, hold ms, then one limit per key.
 */
const ACQUIRE = `
for i, key in ipairs(KEYS) do
  redis.call("ZREMRANGEBYSCORE", key, "-inf", ARGV[1])
  if not redis.call("ZSCORE", key, ARGV[3]) and redis.call("ZCARD", key) >= tonumber(ARGV[4 + i]) then
    return 0
  end
end
for _, key in ipairs(KEYS) do
  redis.call("ZADD", key, ARGV[2], ARGV[3])
  redis.call("PEXPIRE", key, ARGV[4])
end
return 1`;

/** One limit: at most `limit` runs hold a slot in the set at `key`. */
export interface Slot {
  key: string;
  limit: number;
}

/** Takes (or renews) a slot in every set, or in none; true when taken. */
export async function acquireSlots(rt: Runtime, slots: Slot[], runId: string, holdMs: number): Promise<boolean> {
  const now = Date.now();
  const result = await rt.redis.eval(ACQUIRE, slots.length, ...slots.map((s) => s.key), now, now + holdMs, runId, holdMs, ...slots.map((s) => s.limit));
  return result === 1;
}

export async function releaseSlots(rt: Runtime, slots: Slot[], runId: string): Promise<void> {
  await Promise.all(slots.map((s) => rt.redis.zrem(s.key, runId)));
}

/**
 * The limits a stage run is under: its installation's share of the workers (one busy
 * organisation must not take them all) and, when the stage sets `concurrency:`, how many
 * runs of that stage one repository may have at once.
 */
export function stageSlots(rt: Runtime, data: StageJob): Slot[] {
  const slots: Slot[] = [{ key: keys.installationSlots(rt, data.issue.installationId), limit: rt.env.BATON_INSTALLATION_CONCURRENCY }];
  if (data.concurrency) slots.push({ key: keys.stageSlots(rt, data.issue.repoId, data.stage), limit: data.concurrency });
  return slots;
}

/**
 * Runs `fn` holding a slot in every set, renewing the hold while it runs (so a dead
 * worker's slots free themselves after two stall intervals); when any set is full, puts
 * the job back as delayed (not a failed attempt) to try again shortly.
 */
export async function withSlots<T>(rt: Runtime, job: Job, token: string | undefined, slots: Slot[], fn: () => Promise<T>): Promise<T> {
  const runId = String(job.id);
  const holdMs = 2 * rt.env.BATON_STALL_INTERVAL;
  if (!(await acquireSlots(rt, slots, runId, holdMs))) {
    await job.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 1000), token);
    throw new DelayedError();
  }
  const renew = setInterval(() => void acquireSlots(rt, slots, runId, holdMs).catch(() => {}), holdMs / 4);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await releaseSlots(rt, slots, runId);
  }
}
