import { z } from "zod";
import { isDuration, parseDuration } from "./config/duration.js";
import { STAGE_KINDS, type StageKind } from "./config/schema.js";

const DurationMs = (fallback: string) =>
  z.string().refine(isDuration, { message: "not a duration (use 250ms, 5s, 10m or 2h)" }).default(fallback).transform(parseDuration);

/** A comma-separated list of names (variables, paths), trimmed, empty entries dropped. */
const Names = (fallback: string, each = (name: string) => name) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(",")
        .map((s) => each(s.trim()))
        .filter(Boolean),
    );

/** A comma-separated list of host names, lower case. */
const Hosts = (fallback: string) => Names(fallback, (host) => host.toLowerCase());

/** An executable's name or path; empty means the default. */
const Executable = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.trim() || fallback);

const Count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The name of a kind's own worker-concurrency variable. */
export const concurrencyVar = <K extends StageKind>(kind: K) => `BATON_CONCURRENCY_${kind.toUpperCase() as Uppercase<K>}` as const;

function kindConcurrency() {
  const optionalCount = z.coerce.number().int().positive().optional();
  return Object.fromEntries(STAGE_KINDS.map((kind) => [concurrencyVar(kind), optionalCount])) as {
    [K in StageKind as ReturnType<typeof concurrencyVar<K>>]: typeof optionalCount;
  };
}

/**
 * Baton's own environment, read once at the edge (src/main.ts, the CLI) and passed down:
 * no other module reads `process.env` (test/architecture/layers.test.ts checks it).
 * `.env.example` documents every variable; keep the two in step.
 */
export const BatonEnv = z.object({
  /** The GitHub App's id (its private key is read by `appCredentials`, src/create-runtime.ts). */
  APP_ID: z.string().optional(),
  /** Address and port of the webhook server, and the path GitHub posts to. */
  HOST: z.string().default("localhost"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WEBHOOK_PATH: z.string().optional(),
  /** pino's level; unset: `info` for the server, `warn` for the CLI. */
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  BATON_ROLE: z.enum(["all", "server", "worker"]).default("all"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Prefix of every Redis key Baton and BullMQ write: one Redis can host several Batons. */
  BATON_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default("baton"),
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
  /**
   * Most content-creating requests per installation in an hour, spread evenly once spent.
   * Defaults to GitHub's published secondary limit on github.com (500/hour) and to none on
   * Enterprise Server; 0: none.
   */
  BATON_GITHUB_WRITES_PER_HOUR: z.coerce.number().int().min(0).optional(),
  /** Base of the backoff between Octokit's own retries of a 5xx answer (retry n waits n² × this). */
  BATON_GITHUB_RETRY_BASE: DurationMs("1s"),
  /** How long SIGTERM waits for jobs in hand before handing them back to the queue. */
  BATON_SHUTDOWN_GRACE: DurationMs("25s"),
  /** Basic-auth credentials of the queue dashboard at /baton/queues; no dashboard without them. */
  BATON_DASHBOARD_USER: z.string().optional(),
  BATON_DASHBOARD_PASSWORD: z.string().optional(),
  /**
   * Bearer token of the admin routes (`/metrics`, `/baton/events`, `/baton/queues`). Without
   * it (and without BATON_ADMIN_PORT) the webhook port does not serve them at all.
   */
  BATON_ADMIN_TOKEN: z.string().min(16, "use at least 16 characters").optional(),
  /** A separate listener for the admin routes; the webhook port then serves none of them. */
  BATON_ADMIN_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Address of the admin listener: loopback unless the operator says otherwise. */
  BATON_ADMIN_HOST: z.string().default("127.0.0.1"),
  /** Most `/baton/events` clients at once per process; more get 503. */
  BATON_SSE_MAX_CLIENTS: Count(50),
  /** Largest webhook body accepted; bigger ones are refused before parsing. */
  BATON_MAX_WEBHOOK_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  /**
   * `auto`: agent CLIs and pre-flight run in a bubblewrap sandbox, and are refused where it
   * cannot start. `off`: they run as Baton's own user, next to its secrets (unsafe).
   */
  BATON_SANDBOX: z.enum(["auto", "off"]).default("auto"),
  /** The bubblewrap executable (a path makes `baton doctor` and tests probe another one). */
  BATON_SANDBOX_BWRAP: z.string().min(1).default("bwrap"),
  /** Hosts pre-flight commands may reach, through the sandbox's proxy (`*.example.com` for subdomains). */
  BATON_SANDBOX_ALLOW_DOMAINS: Hosts("registry.npmjs.org,pypi.org,files.pythonhosted.org"),
  /** Hosts every agent CLI may reach besides its backend's own API (a command backend's model API, a gateway). */
  BATON_SANDBOX_AGENT_DOMAINS: Hosts(""),
  /** Names of further non-secret variables handed to agent CLIs in the sandbox (its environment starts empty). */
  BATON_SANDBOX_PASS_ENV: Names(""),
  /**
   * Disk kept for clones no stage holds (one per repository and commit, shared by the stages
   * of a process that read code); 0 keeps none, so every stage clones anew.
   */
  BATON_CLONE_CACHE_MB: z.coerce.number().int().min(0).default(1024),
  /**
   * How long a stage that reads code takes the default branch's head another stage of this
   * process looked up as current (one `git ls-remote` per repository per window); 0 looks it
   * up for every stage.
   */
  BATON_HEAD_FRESH: DurationMs("10s"),
  /** Where git (run with a bare environment of its own, safe-git.ts) is looked up: the process's own search path. */
  PATH: z.string().default("/usr/bin:/bin"),
  /** How often the review stage reads a PR's checks again while it waits for them to complete. */
  BATON_CHECKS_POLL: DurationMs("10s"),
  /** Let agents add, change or delete `.github/workflows/**` (they run with the repository's secrets). */
  BATON_ALLOW_WORKFLOW_CHANGES: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Most paths one implement run may add, change or delete. */
  BATON_MAX_CHANGED_FILES: Count(1000),
  /** Most bytes of added or changed files one implement run may push. */
  BATON_MAX_CHANGE_BYTES: Count(50 * 1024 * 1024),
  /** Flags a repository's `args:` may pass to an agent CLI (comma-separated names, e.g. `--max-turns,--verbose`); none when unset. */
  BATON_AGENT_ALLOWED_ARGS: z.string().optional(),
  /** Tools a repository's `allowed_tools:` may grant a claude-code agent (comma-separated); Read, Edit, Write, Glob, Grep when unset. */
  BATON_AGENT_ALLOWED_TOOLS: z.string().optional(),
  /** The executables of the claude-code and codex backends (a path, or a name on PATH). */
  BATON_CLAUDE_BIN: Executable("claude"),
  BATON_CODEX_BIN: Executable("codex"),
  /** The command backend's default executable, and the ones a repository config may name besides it. */
  BATON_AGENT_COMMAND: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined),
  BATON_AGENT_COMMANDS: Names(""),
  /** Secrets (by name) handed to the command backend's executable. */
  BATON_AGENT_COMMAND_SECRETS: Names(""),
  /** What the `builtin` (canned, offline) reviewer decides, and how long each of its tasks takes. */
  BATON_BUILTIN_REVIEW_VERDICT: z.enum(["approved", "needs-changes", "rejected"]).default("approved"),
  BATON_BUILTIN_DELAY: DurationMs("0ms"),
  GHE_HOST: z.string().optional(),
  GHE_PROTOCOL: z.string().default("https"),
  WEBHOOK_SECRET: z.string().optional(),
});
export type BatonEnv = z.infer<typeof BatonEnv>;

/** Parses the environment; throws an error listing every bad variable. */
export function readEnv(env: NodeJS.ProcessEnv): BatonEnv {
  const parsed = BatonEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
