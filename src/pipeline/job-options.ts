import type { JobsOptions } from "bullmq";
import type { Runtime } from "../runtime.js";

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/** How long a delivery id is remembered: GitHub keeps deliveries redeliverable for 3 days. */
export const DEDUPE_TTL_MS = 7 * DAY_S * 1000;

/** Failed attempts wait BATON_RETRY_DELAY, doubling each time. */
const retried = (rt: Pick<Runtime, "env">, attempts: number): JobsOptions => ({ attempts, backoff: { type: "exponential", delay: rt.env.BATON_RETRY_DELAY } });

/**
 * Every queue's retry and retention options, in one place. Finished jobs stay for the
 * dashboard and for looking back (failed ones longer); stage runs, the record of what
 * Baton did to an issue, stay longest. The count caps keep a busy day's jobs bounded.
 */
export const jobOptions = {
  /** A label request: retried while GitHub or Redis recover. */
  intake: (rt: Pick<Runtime, "env">): JobsOptions => ({ ...retried(rt, 5), removeOnComplete: { age: DAY_S, count: 10_000 }, removeOnFail: { age: 7 * DAY_S } }),
  /** A stage run: the stage's own `max_attempts`. */
  stage: (rt: Pick<Runtime, "env">, maxAttempts: number): JobsOptions => ({
    ...retried(rt, maxAttempts),
    removeOnComplete: { age: 7 * DAY_S, count: 10_000 },
    removeOnFail: { age: 30 * DAY_S },
  }),
  /** Repository-level work (labels, config checks, plan tracking). */
  repoTask: (rt: Pick<Runtime, "env">): JobsOptions => ({ ...retried(rt, 5), removeOnComplete: { age: DAY_S }, removeOnFail: { age: 7 * DAY_S } }),
  /** A pull-request event: more attempts, as it may wait for the lock behind a stage run. */
  pullEvent: (rt: Pick<Runtime, "env">): JobsOptions => ({ ...retried(rt, 8), removeOnComplete: { age: DAY_S }, removeOnFail: { age: 7 * DAY_S } }),
  /** The reconciler's sweep: the next one comes soon anyway. */
  sweep: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } } satisfies JobsOptions,
};
