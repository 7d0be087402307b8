import type { StageKind } from "../config/schema.js";
import { findLatestArtifact, type Artifact } from "../github/artifacts.js";
import type { StageRun } from "./types.js";

/** The newest artifact written by any stage of `kind` (a pipeline may rename its stages). */
export function latestOfKind(run: Pick<StageRun, "pipeline" | "comments">, kind: StageKind): Artifact | undefined {
  return run.pipeline.stages
    .filter((s) => s.kind === kind)
    .map((s) => findLatestArtifact(run.comments, s.name))
    .filter((a): a is Artifact => a !== undefined)
    .sort((a, b) => a.comment.created_at.localeCompare(b.comment.created_at) || a.comment.id - b.comment.id)
    .pop();
}
