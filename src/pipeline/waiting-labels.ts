import type { Pipeline } from "../config/resolve-pipeline.js";

/**
 * Labels where an issue waits for a person (a gate, needs-info, approved, blocked): the
 * terminal labels of the pipeline, less `done`, and never a label some stage consumes.
 * When a person starts a stage by hand, these no longer describe the issue and come off.
 */
export function waitingLabels(pipeline: Pipeline): Set<string> {
  const { terminal, blocked, done } = pipeline.config.labels;
  const consumed = new Set(pipeline.stages.map((s) => s.on));
  return new Set([...terminal, blocked].filter((label) => label !== done && !consumed.has(label)));
}
