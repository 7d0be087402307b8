import { z } from "zod";

/** One task of a plan: it becomes one sub-issue, with a design artifact made from it. */
export const PlanTask = z.object({
  /** Short and unique within the plan; `depends_on` names these. */
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, "ids are short words: letters, digits, _ . -"),
  title: z.string().min(1).max(200),
  /** What to do, in Markdown: it becomes the sub-issue's body and its spec's approach. */
  body: z.string().min(1),
  acceptance_criteria: z.array(z.string().min(1)).min(1, "every task needs at least one acceptance criterion"),
  /** Files the task will touch: two tasks naming the same file run one after the other. */
  files: z.array(z.string().min(1)).default([]),
  /** Ids of tasks that must be done first. */
  depends_on: z.array(z.string()).default([]),
});
export type PlanTask = z.infer<typeof PlanTask>;

/** The plan stage's answer: tasks with dependencies, or questions when the spec is unclear. */
export const PlanOutput = z.object({
  outcome: z.enum(["pass", "needs-info"]),
  /** The plan in a few sentences, in Markdown. */
  summary: z.string().min(1),
  tasks: z.array(PlanTask).default([]),
  /** Questions for the author (needs-info). */
  questions: z.array(z.string().min(1)).default([]),
});
export type PlanOutput = z.infer<typeof PlanOutput>;
