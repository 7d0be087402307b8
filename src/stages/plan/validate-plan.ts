import { PermanentError } from "../../errors.js";
import type { PlanTask } from "../../agents/outputs.js";

/** A plan bigger than this blocks unless the stage sets `max_tasks`. */
export const DEFAULT_MAX_TASKS = 10;

/**
 * Checks a plan and makes its order explicit: unique ids, known dependencies, at most
 * `maxTasks` tasks, no cycles (the message names one), and one writer per file: a task
 * naming a file an earlier task names depends on that task. Returns the tasks in an order
 * where every task comes after the ones it depends on.
 */
export function validatePlan(tasks: PlanTask[], maxTasks = DEFAULT_MAX_TASKS): PlanTask[] {
  const hint = "Edit the spec (or the issue's checklist) so the plan comes out smaller or acyclic, then apply the plan label again or comment `/baton retry`.";
  if (tasks.length === 0) throw new PermanentError("the plan has no tasks.", { hint });
  if (tasks.length > maxTasks)
    throw new PermanentError(`the plan has ${tasks.length} tasks, more than max_tasks (${maxTasks}).`, {
      hint: `Split the issue by hand, or raise \`max_tasks\` on the plan stage in .github/baton.yml. ${hint}`,
    });
  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) throw new PermanentError(`the plan names task "${task.id}" twice.`, { hint });
    ids.add(task.id);
  }
  for (const task of tasks) {
    const unknown = task.depends_on.find((d) => !ids.has(d));
    if (unknown !== undefined) throw new PermanentError(`task "${task.id}" depends on "${unknown}", which is not in the plan.`, { hint });
  }
  const cycle = findCycle(tasks);
  if (cycle) throw new PermanentError(`the plan's dependencies form a cycle: ${cycle.join(" → ")}.`, { hint });
  return serializeFiles(topologicalOrder(tasks));
}

/** A cycle as a list of ids that starts and ends with the same task, if there is one. */
export function findCycle(tasks: PlanTask[]): string[] | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "open") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "open");
    path.push(id);
    for (const dep of byId.get(id)?.depends_on ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const task of tasks) {
    const found = visit(task.id);
    if (found) return found;
  }
  return undefined;
}

/** Dependencies first, otherwise the plan's own order (stable). */
function topologicalOrder(tasks: PlanTask[]): PlanTask[] {
  const placed = new Set<string>();
  const order: PlanTask[] = [];
  while (order.length < tasks.length) {
    const next = tasks.find((t) => !placed.has(t.id) && t.depends_on.every((d) => placed.has(d)))!;
    placed.add(next.id);
    order.push(next);
  }
  return order;
}

/** One writer per hotspot file: a later task naming a file an earlier one names waits for it. */
function serializeFiles(tasks: PlanTask[]): PlanTask[] {
  const lastWriter = new Map<string, string>();
  return tasks.map((task) => {
    const extra = task.files.map((f) => lastWriter.get(f)).filter((id): id is string => id !== undefined && !task.depends_on.includes(id));
    for (const file of task.files) lastWriter.set(file, task.id);
    return extra.length ? { ...task, depends_on: [...task.depends_on, ...new Set(extra)] } : task;
  });
}
