import type { Pipeline } from "../../config/resolve-pipeline.js";

/** The labels a plan writes, read from the pipeline (labels are configuration, never literals). */
export function planLabels(pipeline: Pipeline) {
  const implement = pipeline.stages.find((s) => s.kind === "implement");
  const design = pipeline.stages.find((s) => s.name === implement?.requires) ?? pipeline.stages.find((s) => s.kind === "design");
  const plan = pipeline.stages.find((s) => s.kind === "plan");
  const { queued, done, blocked } = pipeline.config.labels;
  return {
    /** Where a child with nothing left to wait for goes: the implement stage's input. */
    ready: implement?.on ?? design?.next.pass ?? "",
    queued,
    done,
    blocked,
    /** Where the parent waits while its children work. */
    tracking: plan?.next.pass ?? "",
    designStage: design?.name ?? "design",
    planStage: plan?.name ?? "plan",
    /** Every status label of the pipeline: a child carrying one was labelled already. */
    status: new Set([...pipeline.stages.flatMap((s) => [s.on, s.claim, ...Object.values(s.next)]), queued, done, blocked]),
    claims: new Map(pipeline.stages.map((s) => [s.claim, s.name])),
  };
}
