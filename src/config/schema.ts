import { z } from "zod";
import { CronExpressionParser } from "cron-parser";
import { isDuration } from "./duration.js";
import { DEFAULT_QUEUED_LABEL, DEFAULT_TERMINAL_LABELS } from "./defaults.js";

/**
 * The schema of `.github/baton.yml`: the one source of truth for the file's shape and
 * for the TypeScript types. Cross-field rules (the label graph) live in `validate-config.ts`.
 */

export const STAGE_KINDS = ["triage", "design", "implement", "review", "plan"] as const;
export const StageKind = z.enum(STAGE_KINDS);
export type StageKind = z.infer<typeof StageKind>;

export const Duration = z.string().refine(isDuration, { message: "not a duration (use 250ms, 5s, 10m or 2h)" });

export const CronString = z.string().refine(
  (text) => {
    try {
      CronExpressionParser.parse(text);
      return text.trim().split(/\s+/).length >= 5;
    } catch {
      return false;
    }
  },
  { message: 'not a cron expression (five fields, for example "0 * * * *")' },
);

/** Which agent runs a stage. Secrets never live here: keys come from env. */
export const AgentRef = z
  .object({
    /** A backend name: builtin, claude-code, codex, openai, anthropic, command. */
    backend: z.string().min(1),
    /** The model the backend should use; the backend's default when absent. */
    model: z.string().min(1).optional(),
    /** OpenAI-compatible base URL (Ollama, vLLM, OpenRouter, …). */
    base_url: z.string().url().optional(),
    /** The executable for the `command` backend. */
    command: z.string().min(1).optional(),
    /** Extra arguments for CLI backends. */
    args: z.array(z.string()).optional(),
    /** Tools a CLI agent may use (claude-code `--allowedTools`). */
    allowed_tools: z.array(z.string()).optional(),
    /** The longest answer, in tokens, for API backends that need a ceiling (anthropic; default 8192). */
    max_tokens: z.number().int().positive().optional(),
    /** Maximum agent turns for CLI agents that support it. */
    max_turns: z.number().int().positive().optional(),
  })
  .strict();
export type AgentRef = z.infer<typeof AgentRef>;

/** One stage: the label it reacts to, the label that claims it, and where each outcome goes. */
export const StageConfig = z
  .object({
    /** The stage kind; defaults to the stage's name when that is a kind. */
    kind: StageKind.optional(),
    /** Set false to drop a stage of the default pipeline (default true). */
    enabled: z.boolean().optional(),
    /** The input label that starts this stage. */
    on: z.string().min(1),
    /** The label that marks the issue as claimed while the stage runs. */
    claim: z.string().min(1),
    /** Outcome → the label Baton writes next. */
    next: z.record(z.string(), z.string().min(1)),
    /** Stop at `next.gate` for a person to approve instead of handing off (default false). */
    gate: z.boolean().optional(),
    /** A label a person applies to start the pipeline: no stage needs to produce it (default false). */
    entry: z.boolean().optional(),
    /** The agent for this stage; `defaults.agent` when absent. */
    agent: AgentRef.optional(),
    /** Shell commands run in the workspace before a PR is opened (implement). */
    preflight: z.array(z.string().min(1)).optional(),
    /** How often a pre-flight failure goes back to the agent before the stage blocks. */
    max_preflight_retries: z.number().int().min(0).optional(),
    /** The stage whose artifact must exist first; `none` to allow working from the issue alone. */
    requires: z.string().min(1).optional(),
    /** The most tasks a plan may have (plan; default 10): a bigger plan blocks the issue. */
    max_tasks: z.number().int().positive().optional(),
    /** Bound on the review ⇄ implement loop. */
    max_revisions: z.number().int().min(0).optional(),
    max_attempts: z.number().int().positive().optional(),
    timeout: Duration.optional(),
    /** Run as a scheduled sweep of the `on` label instead of reacting to events. */
    schedule: CronString.optional(),
    /** How many runs of this stage one repository may have at once (across all workers); unlimited when absent. */
    concurrency: z.number().int().positive().optional(),
    /** A prompt template in the repository that replaces the built-in one. */
    prompt: z.string().min(1).optional(),
    /** The branch Baton's pull request targets (implement); the repository's default branch when absent. A `base:<branch>` label on the issue wins. */
    base: z.string().min(1).optional(),
    /** Revisions people may start with reviews on Baton's pull request before the issue blocks (implement; default 5). */
    max_human_revisions: z.number().int().min(0).optional(),
    /** Fix revisions for failing CI checks before the issue blocks (implement; default 2). */
    max_ci_fixes: z.number().int().min(0).optional(),
    /** Review waits for the pull request's checks and statuses to complete (review; default true). */
    wait_for_checks: z.boolean().optional(),
    /** How long review waits for checks before judging without them (review; default 30m). */
    checks_timeout: Duration.optional(),
    /** Before judging, merge a base branch that moved into Baton's branch (review; default true). */
    update_branch: z.boolean().optional(),
    /** Tokens of repository files shown to text-only agents (overrides `defaults.context_tokens`). */
    context_tokens: z.number().int().min(0).optional(),
    /** The spend (USD) past which this stage does not start (overrides `defaults.budget_usd`). */
    budget_usd: z.number().min(0).optional(),
  })
  .strict();
export type StageConfig = z.infer<typeof StageConfig>;
export type StageConfigInput = z.input<typeof StageConfig>;

/**
 * What a file may say about a stage: any field, merged over the default stage of that name.
 * No field has a default here, so a patch never overrides the default stage by accident.
 */
export const StagePatch = StageConfig.partial().strict();
export type StagePatch = z.infer<typeof StagePatch>;

export const StageName = z.string().regex(/^[a-z][a-z0-9-]*$/, "stage names are lower-case words joined by -");

export const Permission = z.enum(["read", "triage", "write", "maintain", "admin"]);
export type Permission = z.infer<typeof Permission>;

export const BatonConfig = z
  .object({
    defaults: z
      .object({
        agent: AgentRef.optional(),
        max_attempts: z.number().int().positive().default(3),
        timeout: Duration.default("30m"),
        /** Per-issue transition budget: past it the issue is blocked (loop guard). */
        max_transitions: z.number().int().positive().default(40),
        /**
         * Tokens of repository files (the ones most related to the issue) shown to text-only
         * agents in triage, design and review; CLI agents read the checkout themselves.
         */
        context_tokens: z.number().int().min(0).default(6000),
        /** Per-issue spend in USD (all stages, all revisions) past which no stage starts: the issue blocks. */
        budget_usd: z.number().min(0).optional(),
      })
      .strict()
      .prefault({}),
    /** Names of the labels that are not a stage's input or claim. */
    labels: z
      .object({
        blocked: z.string().min(1).default("status:blocked"),
        done: z.string().min(1).default("status:done"),
        /** The label on every PR Baton opens. */
        pr: z.string().min(1).default("baton"),
        /** Where a plan's sub-issue waits while a task it depends on is not done. */
        queued: z.string().min(1).default(DEFAULT_QUEUED_LABEL),
        /** `agent:<backend>` on an issue overrides the stage's backend. */
        agent_prefix: z.string().min(1).default("agent:"),
        /** `base:<branch>` on an issue names the branch Baton's pull request targets. */
        base_prefix: z.string().min(1).default("base:"),
        /** Labels where the pipeline ends or waits for a person: a `next` label here needs no consumer. */
        terminal: z.array(z.string().min(1)).default([...DEFAULT_TERMINAL_LABELS]),
      })
      .strict()
      .prefault({}),
    /**
     * Stages by name, merged field by field over the default pipeline: `design: { gate: true }`
     * is a whole file. Set `enabled: false` to drop a default stage.
     */
    stages: z.record(StageName, StagePatch).default({}),
    routing: z
      .object({
        governance: z
          .object({ paths: z.array(z.string().min(1)), backend: z.string().min(1) })
          .strict()
          .optional(),
        /** Stage kind → backend, used when neither the issue nor the stage names one. */
        kinds: z.record(z.string(), z.string().min(1)).optional(),
        fallback: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    permissions: z
      .object({ commands: Permission.default("write"), trigger: Permission.default("write") })
      .strict()
      .prefault({}),
    /** USD per million tokens, by model. Unknown models report tokens without cost. */
    prices: z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) }).strict()).default({}),
    lessons: z
      .object({
        enabled: z.boolean().default(true),
        /** The agent that writes lessons after a merge; the default route (as for a stage) when absent. */
        agent: AgentRef.optional(),
      })
      .strict()
      .prefault({}),
    /**
     * The scout's agent pass (docs/architecture.md §13): when present, an agent reads the code
     * once per commit, read-only, and its summary joins the deterministic briefing.
     */
    scout: z
      .object({
        /** The scout's agent; the default route (as for a stage) when absent. */
        agent: AgentRef.optional(),
        timeout: Duration.default("10m"),
        /** Tokens of the layout's key files shown to a text-only scout (CLI agents read the checkout). */
        context_tokens: z.number().int().min(0).default(12000),
      })
      .strict()
      .optional(),
    /** What later stages are shown from the repository's knowledge index. */
    knowledge: z
      .object({
        /** How many earlier lessons go into each prompt (0 turns it off). */
        lessons: z.number().int().min(0).default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type BatonConfig = z.infer<typeof BatonConfig>;
export type BatonConfigInput = z.input<typeof BatonConfig>;
