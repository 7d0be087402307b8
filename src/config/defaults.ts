import type { StageConfigInput } from "./schema.js";

/**
 * The default pipeline (docs/architecture.md §1). The only place in `src/` where status label names are
 * written down; everything else reads them from the resolved pipeline.
 */
export const DEFAULT_STAGES: Record<string, StageConfigInput> = {
  triage: {
    on: "status:triage",
    claim: "status:triaging",
    next: { pass: "status:triaged", "needs-info": "status:needs-info" },
    entry: true,
  },
  design: {
    on: "status:triaged",
    claim: "status:designing",
    next: { pass: "status:ready", gate: "status:designed", split: "status:plan" },
  },
  implement: {
    on: "status:ready",
    claim: "status:implementing",
    next: { pass: "status:in-review" },
    requires: "design",
    max_preflight_retries: 2,
  },
  review: {
    on: "status:in-review",
    claim: "status:reviewing",
    next: { approved: "status:approved", "needs-changes": "status:ready", rejected: "status:blocked" },
    max_revisions: 3,
  },
  plan: {
    on: "status:plan",
    claim: "status:planning",
    next: { pass: "status:tracking", "needs-info": "status:needs-info" },
    // Design's `split` produces it, and a person may apply it at a gate instead of status:ready.
    entry: true,
  },
};

/** Labels that end or pause the pipeline: a `next` label in this set needs no consumer. */
export const DEFAULT_TERMINAL_LABELS = [
  "status:approved",
  "status:blocked",
  "status:needs-info",
  "status:designed",
  "status:done",
  "status:tracking",
  "status:queued",
] as const;

/** Where a sub-issue waits while a task it depends on is not done (see docs/configuration.md). */
export const DEFAULT_QUEUED_LABEL = "status:queued";
