import type { z } from "zod";
import { DesignOutput, ImplementOutput, LessonsOutput, PlanOutput, ReviewOutput, ScoutOutput, TriageOutput, type AgentKind } from "./outputs.js";

/** The built-in prompt template of a kind, next to the other prompts (a repository may replace it with `prompt:`). */
const promptOf = (kind: AgentKind): URL => new URL(`./prompts/${kind}.md`, import.meta.url);

/**
 * What each agent kind answers with (validated, with one repair request) and its built-in
 * prompt: read by the agent runner and the `builtin` backend. The stage kinds' handlers,
 * outcomes and artifact data live above, in src/stages (docs/architecture.md §10).
 */
export const AGENT_KINDS = {
  triage: { output: TriageOutput, prompt: promptOf("triage") },
  design: { output: DesignOutput, prompt: promptOf("design") },
  implement: { output: ImplementOutput, prompt: promptOf("implement") },
  review: { output: ReviewOutput, prompt: promptOf("review") },
  plan: { output: PlanOutput, prompt: promptOf("plan") },
  lessons: { output: LessonsOutput, prompt: promptOf("lessons") },
  scout: { output: ScoutOutput, prompt: promptOf("scout") },
} as const satisfies { [K in AgentKind]: { output: z.ZodType; prompt: URL } };

export type AgentKinds = typeof AGENT_KINDS;

/** The answer an agent kind gives. */
export type AgentOutput<K extends AgentKind> = z.infer<AgentKinds[K]["output"]>;
