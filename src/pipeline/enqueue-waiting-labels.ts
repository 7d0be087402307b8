import type { Pipeline } from "../config/resolve-pipeline.js";
import type { GitHub, IssueRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { enqueueIntake } from "./enqueue-intake.js";

/**
 * One stage per issue at a time: an input label applied while another stage held the issue
 * stayed on it, unclaimed. Once that stage has handed off, each such label gets an intake
 * request (scheduled stages excepted: their sweep takes them). Intake checks who applied
 * it from the issue's events, and the per-issue lock lets exactly one claim win.
 */
export async function enqueueWaitingLabels(rt: Runtime, github: GitHub, ref: IssueRef, pipeline: Pipeline, runId: string): Promise<number> {
  const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
  if (issue.state !== "open") return 0;
  const labels = new Set(issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))));
  const waiting = pipeline.stages.filter((s) => !s.schedule && labels.has(s.on));
  await enqueueIntake(
    rt,
    waiting.map((stage) => ({
      jobId: `handoff-${runId}-${stage.name}`,
      data: { deliveryId: `handoff-${runId}`, source: "handoff" as const, issue: ref, label: stage.on, sender: { login: "baton-handoff", type: "Bot" } },
    })),
  );
  return waiting.length;
}
