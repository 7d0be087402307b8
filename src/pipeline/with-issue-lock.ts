import { TransientError } from "../errors.js";
import { releaseLock, tryLock } from "../redis.js";
import { keys, type Runtime } from "../runtime.js";

/**
 * Runs `fn` holding the per-issue Redis lock (SET NX with expiry); labels are visible state,
 * never a lock (the only other Redis lock keeps a briefing from being built twice). Waits up
 * to `waitMs` for another holder, then throws a TransientError so the job is retried later.
 */
export async function withIssueLock<T>(rt: Runtime, repoId: number, issue: number, fn: () => Promise<T>, { ttlMs = 60_000, waitMs = 15_000 } = {}): Promise<T> {
  const key = keys.issueLock(rt, repoId, issue);
  const deadline = Date.now() + waitMs;
  let token: string | undefined;
  while ((token = await tryLock(rt.redis, key, ttlMs)) === undefined) {
    if (Date.now() > deadline) throw new TransientError(`issue ${repoId}/${issue} is locked by another worker`);
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
  }
  try {
    return await fn();
  } finally {
    await releaseLock(rt.redis, key, token);
  }
}
