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
