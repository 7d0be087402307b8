import type { ChildIssue } from "./find-children.js";
import type { planLabels } from "./plan-labels.js";
import type { PlanTask } from "../../agents/outputs.js";

/** What the tracker reads from a child besides its labels. */
export interface ChildDetail {
  pr_url?: string;
  cost_usd?: number;
}

export interface TaskTable {
  tasks: PlanTask[];
  children: Map<string, ChildIssue>;
  details?: Map<string, ChildDetail>;
  labels: ReturnType<typeof planLabels>;
  /** False without the sub-issues/dependencies API. */
  relations: boolean;
}

/** Batches of tasks that can run together: each batch depends only on earlier ones. */
export function batchesOf(tasks: PlanTask[]): string[][] {
  const level = new Map<string, number>();
  const levelOf = (task: PlanTask): number => {
    const known = level.get(task.id);
    if (known !== undefined) return known;
    const value = Math.max(0, ...task.depends_on.map((d) => levelOf(tasks.find((t) => t.id === d)!) + 1));
    level.set(task.id, value);
    return value;
  };
  const batches: string[][] = [];
  for (const task of tasks) (batches[levelOf(task)] ??= []).push(task.id);
  return batches;
}

function stateOf(child: ChildIssue | undefined, labels: TaskTable["labels"]): string {
  if (!child) return "· not created";
  if (child.labels.includes(labels.done)) return "✅ done";
  if (child.labels.includes(labels.blocked)) return "⛔ blocked";
  if (child.labels.includes(labels.queued)) return "🕓 queued";
  const running = child.labels.map((l) => labels.claims.get(l)).find(Boolean);
  if (running) return `⏳ ${running}`;
  return child.labels.find((l) => labels.status.has(l)) ?? (child.state === "closed" ? "closed" : "—");
}

/** Tasks that wait, directly or not, for `id`. */
function dependentsOf(tasks: PlanTask[], id: string): string[] {
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const task of tasks) {
      if (!found.has(task.id) && task.depends_on.some((d) => d === id || found.has(d))) {
        found.add(task.id);
        grew = true;
      }
    }
  }
  return tasks.filter((t) => found.has(t.id)).map((t) => t.id);
}

/** The parent's task table: task, sub-issue, state, what it waits for, PR, cost; then the order and what holds things up. */
export function renderTaskTable({ tasks, children, details, labels, relations }: TaskTable): string {
  const rows = tasks.map((task) => {
    const child = children.get(task.id);
    const detail = details?.get(task.id);
    const waits = task.depends_on.length ? task.depends_on.join(", ") : "—";
    const cost = detail?.cost_usd !== undefined ? `$${detail.cost_usd.toFixed(2)}` : "—";
    return `| ${task.id} · ${task.title.replace(/\|/g, "\\|")} | ${child ? `#${child.number}` : "—"} | ${stateOf(child, labels)} | ${waits} | ${detail?.pr_url ? `[PR](${detail.pr_url})` : "—"} | ${cost} |`;
  });
  const order = batchesOf(tasks)
    .map((batch, i) => `batch ${i + 1}: ${batch.join(", ")}`)
    .join(" → ");
  const held = tasks
    .filter((t) => children.get(t.id)?.labels.includes(labels.blocked))
    .map((t) => {
      const waiting = dependentsOf(tasks, t.id);
      return `⛔ Task ${t.id} (#${children.get(t.id)!.number}) is blocked${waiting.length ? `: task${waiting.length > 1 ? "s" : ""} ${waiting.join(", ")} wait${waiting.length > 1 ? "" : "s"} for it` : ""}. See its last comment for how to resume.`;
    });
  return [
    "#### Plan",
    "",
    "| Task | Sub-issue | State | Waits for | PR | Cost |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `Order: ${order}.`,
    ...held.map((line) => `\n${line}`),
    ...(relations
      ? []
      : ["", "_This GitHub has no sub-issues or issue-dependencies API: the tasks are listed in the issue's body, and each sub-issue says `Depends on #n`._"]),
  ].join("\n");
}
