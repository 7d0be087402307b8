import type { z } from "zod";
import type { StageKind } from "../config/schema.js";
import type { StageHandler } from "./types.js";

/** The fields every artifact's data block has (see `ArtifactMeta`). */
type ArtifactData = z.ZodType<{ run_id: string; kind: string; outcome: string }>;

/**
 * What makes a stage kind in this layer: its handler and its artifacts' data block. What
 * lower layers need of a kind lives there: its outcomes in src/config/stage-kinds.ts (the
 * config validator), its agent's answer schema, prompt and canned answer in src/agents
 * (agent-kinds.ts, backends/builtin.ts). The registry in `./index.ts` derives from these.
 */
export interface StageKindModule<K extends StageKind = StageKind, Data extends ArtifactData = ArtifactData> {
  name: K;
  /** Outcomes the kind ends with (`KIND_OUTCOMES`): `required` ones need a `next` label, `optional` ones may have one. */
  outcomes: { required: readonly string[]; optional: readonly string[] };
  /** The machine-readable block (`json baton`) of the kind's artifacts: readers parse it with this. */
  data: Data;
  /** Runs the stage; throws PermanentError to block, anything else to retry. */
  handler: StageHandler;
}

/** Declares a kind; the identity function only pins the types. */
export function defineStageKind<K extends StageKind, Data extends ArtifactData>(module: StageKindModule<K, Data>): StageKindModule<K, Data> {
  return module;
}
