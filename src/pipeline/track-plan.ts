import type { AppIdentity } from "../github/app-identity.js";
import { findArtifacts, findLatestArtifact, renderArtifact } from "../github/artifacts.js";
import { addLabels, removeLabel } from "../github/labels.js";
import { listComments } from "../github/list-comments.js";
import { readStatus } from "../github/status-comment.js";
import type { GitHub, IssueRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { findChildren, parseTaskMarker, type ChildIssue } from "../stages/plan/find-children.js";
import { planLabels } from "../stages/plan/plan-labels.js";
import type { PlanTask } from "../agents/outputs.js";
import { renderTaskTable, type ChildDetail } from "../stages/plan/render-task-table.js";
import { readArtifactData } from "../stages/read-artifact-data.js";
import { loadPipeline } from "./load-pipeline.js";
import { updateStatus } from "../github/update-status.js";
import { withIssueLock } from "./with-issue-lock.js";

/** The artifact a finished plan leaves on its parent. */
export const SUMMARY_STAGE = "summary";

/**
 * A sub-issue changed (labelled, closed): bring its parent's plan up to date. Only issues
 * the app wrote count as sub-issues, whatever their body says.
 */
export async function trackPlanOf(rt: Runtime, github: GitHub, child: IssueRef): Promise<string> {
  const { data: issue } = await github.rest.issues.get({ owner: child.owner, repo: child.repo, issue_number: child.number });
  const marker = parseTaskMarker(issue.body);
  if (!marker || issue.user?.login !== (await rt.botLogin())) return "not a sub-issue of a plan";
  const parent = { ...child, number: marker.parent };
  return withIssueLock(rt, parent.repoId, parent.number, () => trackPlan(rt, github, parent));
}

/**
 * Brings a parent up to date; run under the parent's lock, so a redelivered event finds
 * the work done (every write below first checks the state it would create).
 * 1. Read the plan back from the parent's plan artifact and find its sub-issues.
 * 2. Promote every queued child whose dependencies are all done to the ready label.
 * 3. When every child is done: post the summary once, mark the parent done, close it.
 * 4. Rewrite the task table in the parent's status comment.
 */
export async function trackPlan(rt: Runtime, github: GitHub, parent: IssueRef): Promise<string> {
  const config = await loadPipeline(rt, github, parent);
  if (!config.ok) return "config invalid";
  const labels = planLabels(config.pipeline);
  let comments = await listComments(github, parent, await rt.appIdentity());
  const plan = findLatestArtifact(comments, labels.planStage);
  const tasks = (plan && readArtifactData(plan, "plan")?.tasks) ?? [];
  if (tasks.length === 0) return "no plan on the parent";
  const { children, relations } = await findChildren(github, parent, await rt.botLogin());
  const refOf = (child: ChildIssue): IssueRef => ({ ...parent, number: child.number });
  const isDone = (id: string) => children.get(id)?.labels.includes(labels.done) ?? false;

  const promoted: string[] = [];
  for (const task of tasks) {
    const child = children.get(task.id);
    if (!child?.labels.includes(labels.queued) || !task.depends_on.every(isDone)) continue;
    child.labels = await addLabels(github, refOf(child), [labels.ready]);
    await removeLabel(github, refOf(child), labels.queued);
    child.labels = child.labels.filter((l) => l !== labels.queued);
    promoted.push(task.id);
  }

  const details = await readDetails(github, parent, tasks, children, await rt.appIdentity());
  const finished = tasks.every((t) => isDone(t.id));
  if (finished) comments = await postSummary(github, parent, tasks, children, details, comments);
  const headline = finished ? labels.done : labels.tracking;
  const doneCount = tasks.filter((t) => isDone(t.id)).length;
  await updateStatus(
    github,
    parent,
    config.pipeline,
    comments,
    labels.planStage,
    { state: finished ? "passed" : "waiting", note: `${doneCount} of ${tasks.length} sub-issues done` },
    headline,
    renderTaskTable({ tasks, children, details, labels, relations }),
  );
  // Last, so a parent that reads done and closed has its summary and table in place.
  if (finished) await closeParent(github, parent, labels);
  return promoted.length ? `promoted ${promoted.join(", ")}` : finished ? "plan done" : "nothing to promote";
}

/** Each child's PR and cost, from its own status comment. */
async function readDetails(
  github: GitHub,
  parent: IssueRef,
  tasks: PlanTask[],
  children: Map<string, ChildIssue>,
  app: AppIdentity,
): Promise<Map<string, ChildDetail>> {
  const details = new Map<string, ChildDetail>();
  for (const task of tasks) {
    const child = children.get(task.id);
    if (!child) continue;
    const rows = Object.values(readStatus(await listComments(github, { ...parent, number: child.number }, app)).data.rows);
    const costs = rows.map((r) => r.cost_usd).filter((c): c is number => c !== undefined);
    details.set(task.id, {
      pr_url: rows
        .map((r) => r.pr_url)
        .filter(Boolean)
        .pop(),
      cost_usd: costs.length ? costs.reduce((a, b) => a + b, 0) : undefined,
    });
  }
  return details;
}

/** The summary artifact, once: what was built and what it cost. */
async function postSummary(
  github: GitHub,
  parent: IssueRef,
  tasks: PlanTask[],
  children: Map<string, ChildIssue>,
  details: Map<string, ChildDetail>,
  comments: Awaited<ReturnType<typeof listComments>>,
): Promise<typeof comments> {
  if (findArtifacts(comments, SUMMARY_STAGE).length === 0) {
    const cost = [...details.values()].reduce((sum, d) => sum + (d.cost_usd ?? 0), 0);
    const markdown = [
      "## 🏁 Plan done",
      "",
      `All ${tasks.length} sub-issues are merged:`,
      "",
      ...tasks.map((t) => `- #${children.get(t.id)!.number} ${t.title}${details.get(t.id)?.pr_url ? ` ([PR](${details.get(t.id)!.pr_url}))` : ""}`),
      "",
      `Spent $${cost.toFixed(2)} on agents (priced models only).`,
    ].join("\n");
    const { data } = await github.rest.issues.createComment({
      owner: parent.owner,
      repo: parent.repo,
      issue_number: parent.number,
      body: renderArtifact(SUMMARY_STAGE, 1, markdown, {
        run_id: `summary-${parent.number}`,
        kind: SUMMARY_STAGE,
        outcome: "pass",
        children: tasks.map((t) => children.get(t.id)!.number),
        total_cost_usd: cost,
      }),
    });
    comments = [...comments, data];
  }
  return comments;
}

/** The parent is done: the done label for the tracking one, closed as completed. */
async function closeParent(github: GitHub, parent: IssueRef, labels: ReturnType<typeof planLabels>): Promise<void> {
  await addLabels(github, parent, [labels.done]);
  await removeLabel(github, parent, labels.tracking);
  const { data: issue } = await github.rest.issues.get({ owner: parent.owner, repo: parent.repo, issue_number: parent.number });
  if (issue.state === "open")
    await github.rest.issues.update({ owner: parent.owner, repo: parent.repo, issue_number: parent.number, state: "closed", state_reason: "completed" });
}
