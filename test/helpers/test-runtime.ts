import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { Probot } from "probot";
import { readEnv } from "../../src/env.js";
import { createOctokitClass } from "../../src/github/create-octokit-class.js";
import { EventLog } from "../../src/observe/events.js";
import { openQueues } from "../../src/pipeline/queues.js";
import { createRedis } from "../../src/redis.js";
import { keys, type Runtime } from "../../src/runtime.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, TEST_WEBHOOK_SECRET } from "./app-key.js";

export const BOT_LOGIN = "baton-test[bot]";

/**
 * A Runtime on the real Redis at 127.0.0.1:6379 under a fresh key prefix, with a real
 * Probot (its GitHub calls go to https://api.github.com, intercepted by nock in tests).
 * `close()` removes every key under the prefix.
 */
export async function createTestRuntime(envOverrides: Record<string, string> = {}): Promise<Runtime & { close(): Promise<void>; probot: Probot }> {
  const prefix = `baton-test-${randomUUID().slice(0, 8)}`;
  const env = readEnv({ BATON_REDIS_PREFIX: prefix, BATON_RETRY_DELAY: "50ms", BATON_STALL_INTERVAL: "5s", WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, ...envOverrides });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const redis = createRedis(env.REDIS_URL);
  const ProbotWithDefaults = Probot.defaults({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    secret: TEST_WEBHOOK_SECRET,
    log,
    Octokit: createOctokitClass({ paceMs: 0, retryBaseMs: 10 }),
  });
  const probot = new ProbotWithDefaults();
  const queues = openQueues(redis, prefix);
  return {
    env,
    redis,
    prefix,
    queues,
    events: new EventLog(redis, keys.events({ prefix }), log),
    log,
    probot,
    auth: (id) => probot.auth(id),
    botLogin: async () => BOT_LOGIN,
    appIdentity: async () => ({ id: Number(TEST_APP_ID), botLogin: BOT_LOGIN }),
    close: async () => {
      await Promise.all(queues.all.map((q) => q.obliterate({ force: true })));
      await queues.close();
      let cursor = "0";
      do {
        const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== "0");
      await redis.quit();
    },
  };
}
