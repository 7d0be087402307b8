import { renderArtifact, findLatestArtifact } from "../../github/artifacts.js";
import { addLabels } from "../../github/labels.js";
import { listComments } from "../../github/list-comments.js";
import { addBlockedBy, addSubIssue, listBlockedBy, listSubIssues } from "../../github/relations.js";
import type { IssueRef } from "../../github/types.js";
import { renderSpec } from "../design.js";
import type { StageRun } from "../types.js";
import { findChildren, taskMarker, toChild, type ChildIssue } from "./find-children.js";
import type { PlanTask } from "../../agents/outputs.js";
import { planLabels } from "./plan-labels.js";

export interface PlanChildren {
  children: Map<string, ChildIssue>;
  /** False on a GitHub without the sub-issues or dependencies API (the body lists the tasks instead). */
  relations: boolean;
}

const TASKS_START = "<!-- baton:tasks -->";
const TASKS_END = "<!-- /baton:tasks -->";

function renderChildBody(parent: number, task: PlanTask, dependencies: ChildIssue[]): string {
  return [
    taskMarker(parent, task.id),
    `Part of #${parent} (task ${task.id} of its plan).`,
    "",
    task.body.trim(),
    "",
    "### Acceptance criteria",
    "",
    ...task.acceptance_criteria.map((c) => `- [ ] ${c}`),
    ...(dependencies.length ? ["", ...dependencies.map((d) => `Depends on #${d.number}`)] : []),
  ].join("\n");
}

/**
 * Turns the plan into sub-issues, each step skipping what an earlier run already did.
 * 1. Find the children made before (by marker); create the missing ones, dependencies first.
 * 2. Post on each child a design artifact made from its task (implement's `requires: design`).
 * 3. Attach each child to the parent and record each dependency (404: a task list in the
 *    parent's body instead; the children's bodies already say `Depends on #n`).
 * 4. Label the children nobody labelled yet: `ready` when nothing they depend on is open, else `queued`.
 */
export async function createChildren(run: StageRun, tasks: PlanTask[]): Promise<PlanChildren> {
  const { github, ref } = run;
  const labels = planLabels(run.pipeline);
  const found = await findChildren(
    github,
    ref,
    await run.rt.botLogin(),
    tasks.map((t) => t.id),
  );
  const children = found.children;
  for (const task of tasks) {
    if (children.has(task.id)) continue;
    const dependencies = task.depends_on.map((d) => children.get(d)!);
    const { data } = await github.rest.issues.create({
      owner: ref.owner,
      repo: ref.repo,
      title: task.title,
      body: renderChildBody(ref.number, task, dependencies),
    });
    children.set(task.id, toChild(data));
  }
  for (const task of tasks) await ensureTaskSpec(run, task, refOf(ref, children.get(task.id)!), labels.designStage);

  let relations = found.relations;
  const attached = relations ? await listSubIssues(github, ref) : undefined;
  for (const task of tasks) {
    const child = children.get(task.id)!;
    if (relations && !attached?.some((a) => a.number === child.number)) relations = await addSubIssue(github, ref, child.id);
  }
  for (const task of tasks.filter((t) => t.depends_on.length > 0)) {
    if (!relations) break;
    const child = refOf(ref, children.get(task.id)!);
    const recorded = await listBlockedBy(github, child);
    if (recorded === undefined) relations = false;
    for (const dep of task.depends_on.map((d) => children.get(d)!)) {
      if (relations && !recorded?.includes(dep.number)) relations = await addBlockedBy(github, child, dep.id);
    }
  }
  if (!relations) await writeTaskList(run, tasks, children);

  for (const task of tasks) {
    const child = children.get(task.id)!;
    if (child.labels.some((l) => labels.status.has(l))) continue;
    const waiting = task.depends_on.some((d) => !children.get(d)!.labels.includes(labels.done));
    const label = waiting ? labels.queued : labels.ready;
    child.labels = await addLabels(github, refOf(ref, child), [label]);
  }
  return { children, relations };
}

const refOf = (parent: IssueRef, child: ChildIssue): IssueRef => ({ ...parent, number: child.number });

/** The child's spec: a design artifact from the task, posted once (a person may edit it after). */
async function ensureTaskSpec(run: StageRun, task: PlanTask, child: IssueRef, designStage: string): Promise<void> {
  const comments = await listComments(run.github, child, await run.rt.appIdentity());
  if (findLatestArtifact(comments, designStage)) return;
  const markdown = `${renderSpec({ approach: task.body, files: task.files, risks: [], acceptance_criteria: task.acceptance_criteria })}\n\n_Made from task ${task.id} of the plan on #${run.ref.number}._`;
  const meta = {
    run_id: `${run.runId}-task-${task.id}`,
    kind: "design",
    outcome: "pass",
    acceptance_criteria: task.acceptance_criteria,
    files: task.files,
    parent: run.ref.number,
    task: task.id,
  };
  await run.github.rest.issues.createComment({
    owner: child.owner,
    repo: child.repo,
    issue_number: child.number,
    body: renderArtifact(designStage, 1, markdown, meta),
  });
}

/** Without the sub-issues API: the tasks as a checklist in the parent's body, replaced in place. */
async function writeTaskList(run: StageRun, tasks: PlanTask[], children: Map<string, ChildIssue>): Promise<void> {
  const { data: issue } = await run.github.rest.issues.get({ owner: run.ref.owner, repo: run.ref.repo, issue_number: run.ref.number });
  const list = [TASKS_START, "### Tasks (Baton's plan)", "", ...tasks.map((t) => `- [ ] #${children.get(t.id)!.number} ${t.title}`), TASKS_END].join("\n");
  const body = issue.body ?? "";
  const start = body.indexOf(TASKS_START);
  const end = body.indexOf(TASKS_END);
  const next = start >= 0 && end > start ? `${body.slice(0, start)}${list}${body.slice(end + TASKS_END.length)}` : `${body.trimEnd()}\n\n${list}\n`;
  if (next !== body) await run.github.rest.issues.update({ owner: run.ref.owner, repo: run.ref.repo, issue_number: run.ref.number, body: next });
}
