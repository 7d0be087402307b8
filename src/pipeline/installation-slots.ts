import { DelayedError, type Job } from "bullmq";
import { keys, type Runtime } from "../runtime.js";

/**
 * Per-installation concurrency (one busy organisation must not take every worker): a Redis
 * sorted set of the runs holding a slot, scored by when the hold expires (a dead worker's
 * slot frees itself). Acquire and renew are one script, so racing workers cannot overbook.
 */
const ACQUIRE = `
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
if redis.call("ZSCORE", KEYS[1], ARGV[3]) or redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[4]) then
  redis.call("ZADD", KEYS[1], ARGV[2], ARGV[3])
  redis.call("PEXPIRE", KEYS[1], ARGV[5])
  return 1
end
return 0`;

export async function acquireSlot(rt: Runtime, installationId: number, runId: string, holdMs: number, limit: number): Promise<boolean> {
  const now = Date.now();
  const key = keys.installationSlots(rt, installationId);
  return (await rt.redis.eval(ACQUIRE, 1, key, now, now + holdMs, runId, limit, holdMs)) === 1;
}

export async function releaseSlot(rt: Runtime, installationId: number, runId: string): Promise<void> {
  await rt.redis.zrem(keys.installationSlots(rt, installationId), runId);
}

/**
 * Runs `fn` in one of the installation's slots, renewing the hold while it runs (so a dead
 * worker's slot frees itself after two stall intervals); when all slots are taken, puts the
 * job back as delayed (not a failed attempt) to try again shortly.
 */
export async function withInstallationSlot<T>(rt: Runtime, job: Job, token: string | undefined, installationId: number, fn: () => Promise<T>): Promise<T> {
  const runId = String(job.id);
  const holdMs = 2 * rt.env.BATON_STALL_INTERVAL;
  const limit = rt.env.BATON_INSTALLATION_CONCURRENCY;
  if (!(await acquireSlot(rt, installationId, runId, holdMs, limit))) {
    await job.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 1000), token);
    throw new DelayedError();
  }
  const renew = setInterval(() => void acquireSlot(rt, installationId, runId, holdMs, limit).catch(() => {}), holdMs / 4);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await releaseSlot(rt, installationId, runId);
  }
}
