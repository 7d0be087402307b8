import { CANNED } from "../../agents/backends/builtin.js";
import type { AgentTask } from "../../agents/types.js";
import type { PlanOutput } from "./plan-output.js";

const CHECKLIST_LINE = /^\s*[-*] \[ \] (.+)$/gm;
const AFTER = /\s*\(after ([\d,\s]+)\)\s*$/i;

/** The `- [ ] ` lines of an issue body: the builtin agent's tasks. */
export function checklistOf(body: string): string[] {
  return [...body.matchAll(CHECKLIST_LINE)].map((m) => (m[1] ?? "").trim()).filter(Boolean);
}

const bodyOf = (task: AgentTask) => String((task.context.issue as { body?: string } | undefined)?.body ?? "");

/** Whether the builtin design proposes a split: the issue has a checklist. */
export const hasChecklist = (task: AgentTask): boolean => checklistOf(bodyOf(task)).length > 0;

/**
 * The builtin plan: one task per checklist line, in order, naming no files; a line ending
 * in `(after 1, 3)` depends on those lines (by position, from 1).
 */
export function cannedPlan(task: AgentTask): PlanOutput {
  const lines = checklistOf(bodyOf(task));
  return {
    outcome: "pass",
    summary: `${CANNED} One task per checklist line of the issue (${lines.length}).`,
    questions: [],
    tasks: lines.map((line, i) => {
      const after = AFTER.exec(line);
      const title = line.replace(AFTER, "").trim();
      return {
        id: String(i + 1),
        title,
        body: `${CANNED} ${title}`,
        acceptance_criteria: [`${CANNED} ${title}: done as the line says`],
        files: [],
        depends_on: after ? (after[1] ?? "").split(",").map((n) => n.trim()).filter(Boolean) : [],
      };
    }),
  };
}
