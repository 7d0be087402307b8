import { randomUUID } from "node:crypto";
import { pino } from "pino";
import type { Probot } from "probot";
import { createRuntime } from "../../src/create-runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, TEST_WEBHOOK_SECRET } from "./app-key.js";

export const BOT_LOGIN = "baton-test[bot]";

/**
 * A Runtime on the real Redis at 127.0.0.1:6379 under a fresh key prefix, with a real
 * Probot (its GitHub calls go to https://api.github.com, intercepted by nock in tests).
 * `envOverrides` are the environment the runtime is given (on top of the test process's),
 * the way to steer Baton in a test. `close()` removes every key under the prefix.
 */
export async function createTestRuntime(envOverrides: Record<string, string> = {}): Promise<Runtime & { close(): Promise<void>; probot: Probot }> {
  const prefix = `baton-test-${randomUUID().slice(0, 8)}`;
  const processEnv = {
    ...process.env,
    BATON_REDIS_PREFIX: prefix,
    BATON_RETRY_DELAY: "50ms",
    BATON_STALL_INTERVAL: "5s",
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ...envOverrides,
  };
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const rt = createRuntime({
    processEnv,
    log,
    app: { appId: TEST_APP_ID, privateKey: TEST_PRIVATE_KEY },
    pacing: { paceMs: 0, retryBaseMs: 10 },
    appIdentity: { id: Number(TEST_APP_ID), botLogin: BOT_LOGIN },
  });
  return {
    ...rt,
    close: async () => {
      await Promise.all(rt.queues.all.map((q) => q.obliterate({ force: true })));
      await deleteKeys(rt);
      await rt.close();
    },
  };
}

/** Removes every key under the runtime's prefix. */
export async function deleteKeys(rt: Pick<Runtime, "redis" | "prefix">): Promise<void> {
  const stream = rt.redis.scanStream({ match: `${rt.prefix}:*`, count: 500 });
  for await (const found of stream as AsyncIterable<string[]>) if (found.length) await rt.redis.del(...found);
}
