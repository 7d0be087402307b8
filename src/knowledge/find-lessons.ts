import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { readSpec } from "../stages/read-spec.js";
import type { StageRun } from "../stages/types.js";
import { loadKnowledge, type KnowledgeDoc } from "./knowledge-index.js";

/**
 * The earlier lessons most relevant to this issue: searched by its title and body and by the
 * paths its spec names (once there is one), best first, never the issue's own.
 */
export async function findLessons(run: StageRun): Promise<KnowledgeDoc[]> {
  const limit = run.pipeline.config.knowledge.lessons;
  if (limit === 0) return [];
  const design = run.pipeline.stages.find((s) => s.kind === "design");
  const spec = design ? readSpec(run.comments, design.name) : undefined;
  const paths = (spec?.artifact.meta.files as string[] | undefined) ?? [];
  const query = [sanitizeUntrusted(run.issue.title), sanitizeUntrusted(run.issue.body), ...paths].join("\n");
  const { index } = await loadKnowledge(run.rt, run.github, run.ref);
  return index.find(query, { kind: "lesson", excludeIssue: run.ref.number, limit });
}

/** Lessons as a prompt section, each cited by the link to the issue comment it came from. */
export function renderLessons(lessons: KnowledgeDoc[]): string {
  if (!lessons.length) return "(none relevant yet)";
  return lessons.map((l) => `- ${l.text}${l.areas ? ` (areas: ${l.areas})` : ""} — from #${l.issue}: ${l.url}`).join("\n");
}
