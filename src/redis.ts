import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";

/**
 * A Redis connection for Baton and BullMQ. `maxRetriesPerRequest: null` is what BullMQ
 * workers need (their blocking commands must wait through a reconnect, not fail).
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/**
 * BullMQ loses jobs when Redis evicts keys: say so loudly when the policy is not noeviction.
 * Returns the policy, or undefined when CONFIG is not allowed (managed Redis).
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/** Takes the lock `key` (SET NX with expiry) when nobody holds it: the token that releases it, else undefined. */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<string | undefined> {
  const token = randomUUID();
  return (await redis.set(key, token, "PX", ttlMs, "NX")) === "OK" ? token : undefined;
}

/** Releases the lock if `token` still holds it (an expired lock another process took is left alone). */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}

/** Extends the lock's expiry if `token` still holds it; false when it was lost. */
export async function extendLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(EXTEND, 1, key, token, String(ttlMs))) === 1;
}
