import { randomUUID } from "node:crypto";
import { TransientError } from "../errors.js";
import { keys, type Runtime } from "../runtime.js";

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * Runs `fn` holding the per-issue Redis lock (SET NX with expiry): the only lock in Baton;
 * labels are visible state, never a lock. Waits up to `waitMs` for another holder, then
 * throws a TransientError so the job is retried later.
 */
export async function withIssueLock<T>(
  rt: Runtime,
  repoId: number,
  issue: number,
  fn: () => Promise<T>,
  { ttlMs = 60_000, waitMs = 15_000 } = {},
): Promise<T> {
  const key = keys.issueLock(rt, repoId, issue);
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  while ((await rt.redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") {
    if (Date.now() > deadline) throw new TransientError(`issue ${repoId}/${issue} is locked by another worker`);
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
  }
  try {
    return await fn();
  } finally {
    await rt.redis.eval(RELEASE, 1, key, token);
  }
}
