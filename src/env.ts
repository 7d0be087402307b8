import { z } from "zod";
import { isDuration, parseDuration } from "./config/duration.js";
import { STAGE_KINDS, type StageKind } from "./config/schema.js";

const DurationMs = (fallback: string) =>
  z
    .string()
    .refine(isDuration, { message: "not a duration (use 250ms, 5s, 10m or 2h)" })
    .default(fallback)
    .transform(parseDuration);

const Count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The name of a kind's own worker-concurrency variable. */
export const concurrencyVar = <K extends StageKind>(kind: K) => `BATON_CONCURRENCY_${kind.toUpperCase() as Uppercase<K>}` as const;

function kindConcurrency() {
  const optionalCount = z.coerce.number().int().positive().optional();
  return Object.fromEntries(STAGE_KINDS.map((kind) => [concurrencyVar(kind), optionalCount])) as { [K in StageKind as ReturnType<typeof concurrencyVar<K>>]: typeof optionalCount };
}

/**
 * Baton's own environment (Probot reads APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, … itself).
 * `.env.example` documents every variable; keep the two in step.
 */
export const BatonEnv = z.object({
  BATON_ROLE: z.enum(["all", "server", "worker"]).default("all"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Prefix of every Redis key Baton and BullMQ write: one Redis can host several Batons. */
  BATON_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/).default("baton"),
  BATON_DEFAULT_BACKEND: z.string().optional(),
  BATON_RECONCILE_INTERVAL: DurationMs("5m"),
  BATON_STALL_INTERVAL: DurationMs("30s"),
  /** Base delay of the exponential backoff between attempts of a failed stage job. */
  BATON_RETRY_DELAY: DurationMs("5s"),
  /** Worker concurrency for every stage kind, unless a kind-specific one is set. */
  BATON_CONCURRENCY: Count(4),
  BATON_CONCURRENCY_INTAKE: Count(8),
  /** Stage jobs one installation may run at once across all workers (fairness between organisations). */
  BATON_INSTALLATION_CONCURRENCY: Count(10),
  /** `BATON_CONCURRENCY_<KIND>` for every stage kind (TRIAGE, DESIGN, IMPLEMENT, REVIEW, PLAN). */
  ...kindConcurrency(),
  /** How long a config stays cached per repository (a push that changes it clears it sooner). */
  BATON_CONFIG_TTL: DurationMs("10m"),
  /**
   * Minimum gap between content-creating requests per installation. Defaults to GitHub's
   * published secondary limit on github.com (80/minute) and to none on Enterprise Server.
   */
  BATON_GITHUB_PACE: z.string().refine(isDuration).transform(parseDuration).optional(),
  /** Base of the backoff between Octokit's own retries of a 5xx answer (retry n waits n² × this). */
  BATON_GITHUB_RETRY_BASE: DurationMs("1s"),
  /** How long SIGTERM waits for jobs in hand before handing them back to the queue. */
  BATON_SHUTDOWN_GRACE: DurationMs("25s"),
  /** Basic-auth credentials of the queue dashboard at /baton/queues; no dashboard without them. */
  BATON_DASHBOARD_USER: z.string().optional(),
  BATON_DASHBOARD_PASSWORD: z.string().optional(),
  /** Largest webhook body accepted; bigger ones are refused before parsing. */
  BATON_MAX_WEBHOOK_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  GHE_HOST: z.string().optional(),
  GHE_PROTOCOL: z.string().default("https"),
  WEBHOOK_SECRET: z.string().optional(),
});
export type BatonEnv = z.infer<typeof BatonEnv>;

/** Parses the environment; throws an error listing every bad variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): BatonEnv {
  const parsed = BatonEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
