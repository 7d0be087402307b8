import type { z } from "zod";
import type { StageKind } from "../config/schema.js";
import type { Artifact } from "../github/artifacts.js";
import { KIND_DATA, type KindData } from "./kind-data.js";

/**
 * An artifact's `json baton` block parsed with its kind's schema: no casts between stages.
 * Undefined when the block does not match (an older Baton wrote it, or it was edited).
 */
export function readArtifactData<K extends StageKind>(artifact: Artifact, kind: K): z.infer<KindData[K]> | undefined {
  const parsed = KIND_DATA[kind].safeParse(artifact.meta);
  return parsed.success ? (parsed.data as z.infer<KindData[K]>) : undefined;
}
