import type { z } from "zod";
import type { AgentTask } from "../agents/types.js";
import type { StageKind } from "../config/schema.js";
import type { StageHandler } from "./types.js";

/**
 * Everything that makes a stage kind, in one place: the registry in `./index.ts` derives
 * the handler map, the agent's answer schema, the built-in prompt, the outcomes the config
 * validator accepts and the `builtin` agent's canned answer from these. A kind missing a
 * piece does not compile.
 */
/** The fields every artifact's data block has (see `ArtifactMeta`). */
type ArtifactData = z.ZodType<{ run_id: string; kind: string; outcome: string }>;

export interface StageKindModule<K extends StageKind = StageKind, Output extends z.ZodType = z.ZodType, Data extends ArtifactData = ArtifactData> {
  name: K;
  /** Outcomes the kind ends with: `required` ones need a `next` label, `optional` ones may have one. */
  outcomes: { required: readonly string[]; optional: readonly string[] };
  /** The structured answer the kind's agent must give (validated, with one repair request). */
  output: Output;
  /** The machine-readable block (`json baton`) of the kind's artifacts: readers parse it with this. */
  data: Data;
  /** The built-in prompt template (a repository may replace it with `prompt:`). */
  prompt: URL;
  /** Runs the stage; throws PermanentError to block, anything else to retry. */
  handler: StageHandler;
  /** The `builtin` agent's deterministic answer, for the demo and tests. */
  canned: (task: AgentTask) => z.input<Output>;
}

/** Declares a kind; the identity function only pins the types. */
export function defineStageKind<K extends StageKind, Output extends z.ZodType, Data extends ArtifactData>(module: StageKindModule<K, Output, Data>): StageKindModule<K, Output, Data> {
  return module;
}

/** The built-in template of a kind, as a URL next to the other prompts. */
export const promptUrl = (kind: StageKind): URL => new URL(`../agents/prompts/${kind}.md`, import.meta.url);
