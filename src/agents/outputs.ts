import { z } from "zod";
import type { StageKind } from "../config/schema.js";

/**
 * The structured answer each stage kind asks its agent for. Backends return text; the
 * stage runner extracts the JSON and validates it against these.
 */

export const TriageOutput = z.object({
  outcome: z.enum(["pass", "needs-info"]),
  type: z.enum(["bug", "feature", "chore", "docs", "question"]),
  priority: z.enum(["p0", "p1", "p2", "p3"]),
  size: z.enum(["xs", "s", "m", "l", "xl"]),
  /** A short Markdown brief of what is asked. */
  brief: z.string().min(1),
  /** Questions for the author when the issue is unclear (needs-info). */
  questions: z.array(z.string().min(1)).default([]),
});
export type TriageOutput = z.infer<typeof TriageOutput>;

export const DesignOutput = z.object({
  /** How the change will be made, in Markdown. */
  approach: z.string().min(1),
  files: z.array(z.string().min(1)).default([]),
  risks: z.array(z.string().min(1)).default([]),
  acceptance_criteria: z.array(z.string().min(1)).min(1),
  /** The work is too large for one pull request: hand it to the plan stage to split. */
  split: z.boolean().optional().describe("true when the work is too large for one reviewable pull request and should be split into sub-issues"),
});
export type DesignOutput = z.infer<typeof DesignOutput>;

export const ImplementOutput = z.object({
  /** What was changed and why, in Markdown; becomes part of the PR body. */
  summary: z.string().min(1),
  /** A commit message headline. */
  commit_message: z.string().min(1).optional(),
  /**
   * Whole new contents of the files to create or replace, for agents that cannot edit the
   * checkout themselves (API backends). Agents that edit the checkout leave it empty.
   */
  files: z.array(z.object({ path: z.string().min(1), content: z.string() })).default([]),
});
export type ImplementOutput = z.infer<typeof ImplementOutput>;

export const CriterionVerdict = z.object({
  criterion: z.string().min(1),
  pass: z.boolean(),
  evidence: z.string().min(1),
});
export type CriterionVerdict = z.infer<typeof CriterionVerdict>;

export const ReviewOutput = z.object({
  verdict: z.enum(["approved", "needs-changes", "rejected"]),
  summary: z.string().min(1),
  criteria: z.array(CriterionVerdict).default([]),
});
export type ReviewOutput = z.infer<typeof ReviewOutput>;

/** One lesson of a merged issue, tagged with the areas (paths, topics) it is about. */
export const Lesson = z.object({
  kind: z.enum(["worked", "failed", "do-differently"]),
  text: z.string().min(1),
  areas: z.array(z.string().min(1)).default([]),
});
export type Lesson = z.infer<typeof Lesson>;

export const LessonsOutput = z.object({
  summary: z.string().min(1),
  lessons: z.array(Lesson).default([]),
});
export type LessonsOutput = z.infer<typeof LessonsOutput>;

/**
 * The scout's summary of a repository at one commit, written by an agent that read the code
 * (docs/architecture.md §13): merged into the deterministic briefing and cached with it.
 */
export const ScoutOutput = z.object({
  /** What the repository is and does, in a few sentences. */
  summary: z.string().min(1),
  /** Directories or files of the repository and what each holds. */
  areas: z.array(z.object({ path: z.string().min(1), holds: z.string().min(1) })).min(1),
  /** Conventions the code follows (naming, layout, style, testing), as found in the code. */
  conventions: z.array(z.string().min(1)).default([]),
  /** How to build, test and lint, as commands. */
  commands: z.array(z.object({ name: z.string().min(1), run: z.string().min(1) })).default([]),
  /** What a change here easily gets wrong. */
  pitfalls: z.array(z.string().min(1)).default([]),
});
export type ScoutOutput = z.infer<typeof ScoutOutput>;

/** What an agent can be asked to do: a stage kind, or work that is not a stage (lessons after a merge, the scout's pass over a commit). */
export type AgentKind = StageKind | "lessons" | "scout";
