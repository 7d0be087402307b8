import { z } from "zod";
import { PlanTask } from "../agents/outputs.js";
import type { StageKind } from "../config/schema.js";
import { ArtifactMeta } from "../github/artifacts.js";

/**
 * The machine-readable block (`json baton`) of each kind's artifacts: readers parse it with
 * these (read-artifact-data.ts). Apart from the handlers, so reading an artifact does not
 * load every stage.
 */
export const KIND_DATA = {
  triage: ArtifactMeta.extend({ type: z.string().optional(), priority: z.string().optional(), size: z.string().optional() }),
  design: ArtifactMeta.extend({ acceptance_criteria: z.array(z.string()).default([]), files: z.array(z.string()).default([]) }),
  implement: ArtifactMeta,
  review: ArtifactMeta.extend({ verdict: z.string().optional() }),
  plan: ArtifactMeta.extend({ summary: z.string().optional(), tasks: z.array(PlanTask).default([]) }),
} as const satisfies { [K in StageKind]: z.ZodType<{ run_id: string; kind: string; outcome: string }> };

export type KindData = typeof KIND_DATA;
