import type { Pipeline } from "../../config/resolve-pipeline.js";
import { addLabels } from "../../github/labels.js";
import type { GitHub, IssueRef } from "../../github/types.js";
import type { Runtime } from "../../runtime.js";
import { findChildren } from "../../stages/plan/find-children.js";
import { planLabels } from "../../stages/plan/plan-labels.js";

/** What `/baton retry` and `/baton stop` need to act on a plan's parent. */
export interface ParentContext {
  rt: Runtime;
  github: GitHub;
  ref: IssueRef;
  pipeline: Pipeline;
  labels: string[];
  /** Cancels one stage run on a sub-issue; answers whether one was running. */
  stopChild: (child: IssueRef) => Promise<boolean>;
}

/** Whether the issue is a plan's parent waiting for its sub-issues. */
export const isTrackingParent = (pipeline: Pipeline, labels: string[]) => labels.includes(planLabels(pipeline).tracking);

/** `/baton retry` on a parent: plan again, but only while no sub-issue has started. */
export async function retryPlan({ rt, github, ref, pipeline }: ParentContext): Promise<string> {
  const labels = planLabels(pipeline);
  const { children } = await findChildren(github, ref, await rt.botLogin());
  const started = [...children.values()]
    .sort((a, b) => a.number - b.number)
    .filter((c) => !c.labels.every((l) => !labels.status.has(l) || l === labels.ready || l === labels.queued));
  if (started.length)
    return `the plan's sub-issues have started (${started.map((c) => `#${c.number}`).join(", ")}), so it is not planned again; retry a sub-issue instead, or stop them with \`/baton stop\`.`;
  const plan = pipeline.stages.find((s) => s.kind === "plan")!;
  await addLabels(github, ref, [plan.on]);
  return `planning again (\`${plan.on}\`); the sub-issues already made are kept and reused.`;
}

/** `/baton stop` on a parent: stop every sub-issue's running stage. */
export async function stopPlan({ rt, github, ref, pipeline, stopChild }: ParentContext): Promise<string> {
  const { children } = await findChildren(github, ref, await rt.botLogin());
  const stopped: number[] = [];
  for (const child of [...children.values()].sort((a, b) => a.number - b.number)) {
    if (await stopChild({ ...ref, number: child.number })) stopped.push(child.number);
  }
  const tracking = planLabels(pipeline).tracking;
  return stopped.length
    ? `stopped the running stage of ${stopped.map((n) => `#${n}`).join(", ")}; the parent stays at \`${tracking}\`. Comment \`/baton retry\` on a sub-issue to run it again.`
    : "no sub-issue of this plan is running.";
}
