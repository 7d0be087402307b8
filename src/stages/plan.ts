import type { PlanOutput, PlanTask } from "../agents/outputs.js";
import { runAgent } from "../agents/run-agent.js";
import { KIND_OUTCOMES } from "../config/stage-kinds.js";
import { agentRequest } from "./agent-request.js";
import { issueContext } from "./issue-context.js";
import { KIND_DATA } from "./kind-data.js";
import { defineStageKind } from "./kind-module.js";
import { latestOfKind } from "./latest-of-kind.js";
import { createChildren } from "./plan/create-children.js";
import { planLabels } from "./plan/plan-labels.js";
import { batchesOf, renderTaskTable } from "./plan/render-task-table.js";
import { DEFAULT_MAX_TASKS, validatePlan } from "./plan/validate-plan.js";
import { findOwnArtifact, nextRevision, postArtifact } from "./post-artifact.js";
import { readArtifactData } from "./read-artifact-data.js";
import type { StageResult, StageRun } from "./types.js";

function renderPlan(summary: string, tasks: PlanTask[]): string {
  return [
    "## 🗺️ Plan",
    "",
    summary.trim(),
    "",
    ...tasks.map(
      (t) =>
        `- **${t.id}. ${t.title}**${t.depends_on.length ? ` (after ${t.depends_on.join(", ")})` : ""}${t.files.length ? ` · ${t.files.map((f) => `\`${f}\``).join(", ")}` : ""}`,
    ),
    "",
    `_Each task becomes a sub-issue with its own spec; ${batchesOf(tasks).length} batch(es) run one after the other._`,
  ].join("\n");
}

function renderQuestions(output: PlanOutput): string {
  return [
    "## 🗺️ Plan: questions first",
    "",
    output.summary.trim(),
    "",
    ...output.questions.map((q) => `- ${q}`),
    "",
    "_Answer in a comment, then apply the plan label again._",
  ].join("\n");
}

/**
 * Plan: split a large issue into sub-issues with dependencies (see docs/architecture.md).
 * 1. Reuse this run's plan if an earlier attempt posted it; else ask the agent and check the
 *    plan (ids, dependencies, cycles, size, one writer per file): a bad plan blocks, saying why.
 * 2. Post the plan artifact (its data block holds the tasks the tracker reads back).
 * 3. Create, attach, link and label the sub-issues (each step skips what exists).
 * 4. Hand the parent on to wait at the tracking label, with the task table in its status comment.
 */
async function runPlan(run: StageRun): Promise<StageResult> {
  const own = findOwnArtifact(run);
  const reused = own && readArtifactData(own, "plan");
  let tasks = reused?.tasks ?? [];
  let result: StageResult = { outcome: "pass", artifactUrl: own?.comment.html_url, revision: own?.revision };
  if (!reused) {
    const agent = await runAgent("plan", {
      ...(await agentRequest(run)),
      context: {
        issue: issueContext(run.issue),
        spec: latestOfKind(run, "design")?.markdown ?? "",
        brief: latestOfKind(run, "triage")?.markdown ?? "",
        max_tasks: run.stage.max_tasks ?? DEFAULT_MAX_TASKS,
      },
    });
    const output = agent.data;
    const usage = { usage: agent.usage, backend: agent.backend, model: agent.model };
    const revision = nextRevision(run);
    if (output.outcome === "needs-info") {
      const comment = await postArtifact(run, revision, renderQuestions(output), { outcome: "needs-info", questions: output.questions, tasks: [], ...usage });
      return { outcome: "needs-info", artifactUrl: comment.html_url, revision, ...usage, note: "questions for the author" };
    }
    tasks = validatePlan(output.tasks, run.stage.max_tasks ?? DEFAULT_MAX_TASKS);
    const comment = await postArtifact(run, revision, renderPlan(output.summary, tasks), { outcome: "pass", summary: output.summary, tasks, ...usage });
    result = { outcome: "pass", artifactUrl: comment.html_url, revision, ...usage };
  }
  const { children, relations } = await createChildren(run, tasks);
  const labels = planLabels(run.pipeline);
  const batches = batchesOf(tasks).length;
  return {
    ...result,
    note: `${tasks.length} sub-issues in ${batches} batch${batches > 1 ? "es" : ""}${relations ? "" : " (task list: no sub-issues API)"}`,
    appendix: renderTaskTable({ tasks, children, labels, relations }),
  };
}

/** The plan kind: a large issue becomes sub-issues with dependencies, run in batches by label. */
export const planKind = defineStageKind({
  name: "plan",
  outcomes: KIND_OUTCOMES.plan,
  data: KIND_DATA.plan,
  handler: (run) => runPlan(run),
});
