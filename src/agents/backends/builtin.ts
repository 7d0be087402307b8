import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TransientError } from "../../errors.js";
import type { z } from "zod";
import type { AgentKinds } from "../agent-kinds.js";
import type { DesignOutput, ImplementOutput, Lesson, LessonsOutput, PlanOutput, ReviewOutput, ScoutOutput, TriageOutput } from "../outputs.js";
import type { AgentBackend, AgentTask } from "../types.js";

/** Marks every human-readable string the builtin agent writes: nobody should mistake it for a model. */
export const CANNED = "[builtin canned output]";

interface IssueContext {
  number?: number;
  title?: string;
  body?: string;
}

const issueOf = (task: AgentTask): IssueContext => (task.context.issue ?? {}) as IssueContext;

function triage(task: AgentTask): TriageOutput {
  const { title = "", body = "" } = issueOf(task);
  const text = `${title} ${body}`.toLowerCase();
  const type = /\b(bug|crash|error|broken|fails?)\b/.test(text) ? "bug" : /\b(docs?|readme|documentation)\b/.test(text) ? "docs" : "feature";
  if (body.trim().length < 20) {
    return {
      outcome: "needs-info",
      type,
      priority: "p3",
      size: "s",
      brief: `${CANNED} The issue "${title}" has too little description to design from.`,
      questions: [`${CANNED} What should happen, and what happens today?`, `${CANNED} How will we know it is done?`],
    };
  }
  return {
    outcome: "pass",
    type,
    priority: "p2",
    size: "s",
    brief: `${CANNED} A ${type} request: "${title}". The description is clear enough to design.`,
    questions: [],
  };
}

/**
 * The design proposes a split exactly when the issue has a `- [ ] ` checklist (the plan
 * then makes one task per line); otherwise it names the repository files that share the most words with the issue title
 * (ranked from the briefing by the stage: `related_files`), then the note it will write.
 */
function design(task: AgentTask): DesignOutput {
  const { title = "the request", number = 0 } = issueOf(task);
  const related = Array.isArray(task.context.related_files) ? (task.context.related_files as string[]).slice(0, 3) : [];
  const where = related.length ? ` The files whose names and text share the most words with the title are ${related.map((f) => `\`${f}\``).join(", ")}.` : "";
  return {
    approach: `${CANNED} Record the request "${title}" in a design note and make the change in one small, reviewable step.${where}`,
    files: [...related, `docs/baton/issue-${number}.md`],
    risks: [`${CANNED} None beyond the usual: this output is canned, not a real design.`],
    acceptance_criteria: [
      `${CANNED} The change for "${title}" is described in docs/baton/issue-${number}.md`,
      `${CANNED} The note links back to issue #${number}`,
    ],
    split: hasChecklist(task),
  };
}

function implement(task: AgentTask): ImplementOutput {
  const { title = "", number = 0 } = issueOf(task);
  const spec = String(task.context.spec ?? "");
  const feedback = String(task.context.feedback ?? "");
  const record = `docs/baton/issue-${number}.md`;
  const lines = [
    `# Issue #${number}: ${title}`,
    "",
    `${CANNED} Baton's offline agent wrote this file to stand in for a real change.`,
    "",
    "## Spec",
    "",
    spec.trim() || "(no spec)",
  ];
  if (feedback.trim()) lines.push("", "## Review feedback addressed", "", feedback.trim());
  // A merge of the base that conflicts: every file keeps both sides (its branch's lines, then
  // the base's); the record file is written afresh with the base's lines after it.
  const resolved = conflictedFiles(task).map(({ path, text }) => ({ path, ...unionOf(text) }));
  const fromBase = resolved.find((r) => r.path === record)?.theirs ?? [];
  if (fromBase.length) lines.push("", "## From the base branch", "", ...fromBase);
  // Returned as whole files, the way API backends answer, so that path is exercised offline.
  return {
    files: [...resolved.filter((r) => r.path !== record).map((r) => ({ path: r.path, content: r.union })), { path: record, content: `${lines.join("\n")}\n` }],
    summary: `${CANNED} Wrote ${record} recording the spec${feedback.trim() ? " and the review feedback" : ""}${resolved.length ? `; resolved the merge conflicts in ${resolved.map((r) => r.path).join(", ")} by keeping both sides` : ""}.`,
    commit_message: `docs: record the spec of #${number} (builtin agent)`,
  };
}

/** The files the stage says conflict, as they lie in the checkout (regular files only). */
function conflictedFiles(task: AgentTask): { path: string; text: string }[] {
  const paths = Array.isArray(task.context.conflicts) ? (task.context.conflicts as string[]) : [];
  if (!task.workspace) return [];
  const root = task.workspace;
  return paths.flatMap((path) => {
    const file = join(root, path);
    return file.startsWith(`${root}/`) && lstatSync(file, { throwIfNoEntry: false })?.isFile() ? [{ path, text: readFileSync(file, "utf8") }] : [];
  });
}

/** A union merge of git's conflict blocks: ours, then theirs (a diff3 base section is dropped). */
export function unionOf(text: string): { union: string; theirs: string[] } {
  const out: string[] = [];
  const theirs: string[] = [];
  let side: "none" | "ours" | "base" | "theirs" = "none";
  for (const line of text.split("\n")) {
    if (/^<{7}( |$)/.test(line)) side = "ours";
    else if (/^\|{7}( |$)/.test(line) && side === "ours") side = "base";
    else if (/^={7}$/.test(line) && side !== "none") side = "theirs";
    else if (/^>{7}( |$)/.test(line) && side === "theirs") side = "none";
    else if (side !== "base") {
      out.push(line);
      if (side === "theirs") theirs.push(line);
    }
  }
  return { union: out.join("\n"), theirs };
}

export function review(task: AgentTask): ReviewOutput {
  const verdict: ReviewOutput["verdict"] = task.server.env.BATON_BUILTIN_REVIEW_VERDICT;
  const criteria = Array.isArray(task.context.criteria) ? (task.context.criteria as string[]) : [];
  const files = [...String(task.context.diff ?? "").matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
  const pass = verdict === "approved";
  return {
    verdict,
    summary: `${CANNED} Verdict "${verdict}" (set by BATON_BUILTIN_REVIEW_VERDICT), not a real review.`,
    criteria: criteria.map((criterion) => ({
      criterion,
      pass,
      evidence: `${CANNED} ${files.length ? `The diff touches ${files.join(", ")}.` : "The diff is empty."}`,
    })),
  };
}

/** Lists the revisions the review asked for and the pre-flight failures it was given, nothing more. */
function lessons(task: AgentTask): LessonsOutput {
  const reviews = Array.isArray(task.context.reviews) ? (task.context.reviews as { revision: number; verdict: string; failed: string[] }[]) : [];
  const areas = Array.isArray(task.context.files) ? (task.context.files as string[]) : [];
  const asked = reviews.filter((r) => r.verdict === "needs-changes");
  const list: Lesson[] = asked.map((r) => ({
    kind: "failed",
    text: `${CANNED} Revision ${r.revision} was sent back by the review: ${r.failed.join("; ") || "no failed criterion named"}.`,
    areas,
  }));
  const feedback = String(task.context.pr_feedback ?? "");
  const [people, ci] = ["### A person's review", "### CI failures"].map((heading) => feedback.split(heading).length - 1);
  if (people || ci)
    list.push({
      kind: "failed",
      text: `${CANNED} Changes were asked for on the pull request: ${people} review(s) by people, ${ci} round(s) of CI failures.`,
      areas,
    });
  const preflight = String(task.context.preflight ?? "");
  if (/❌|timed out/.test(preflight))
    list.push({
      kind: "failed",
      text: `${CANNED} A pre-flight check failed on the way: ${preflight
        .split("\n")
        .filter((l) => /❌|timed out/.test(l))
        .join(" ")}`,
      areas,
    });
  list.push(
    asked.length
      ? { kind: "do-differently", text: `${CANNED} Check the criteria the review failed before opening the PR.`, areas }
      : { kind: "worked", text: `${CANNED} The first implementation passed review.`, areas },
  );
  return { summary: `${CANNED} ${reviews.length} review(s), ${asked.length} revision(s) asked for.`, lessons: list };
}

interface BriefedDir {
  dir: string;
  languages: string[];
  holds: string[];
  key_files: string[];
}

/** Restates the deterministic briefing it was given, one area per top directory: it reads no code. */
function scout(task: AgentTask): ScoutOutput {
  const layout = Array.isArray(task.context.layout) ? (task.context.layout as BriefedDir[]) : [];
  const commands = Array.isArray(task.context.commands) ? (task.context.commands as { name: string; run: string }[]) : [];
  const conventions = Array.isArray(task.context.conventions) ? (task.context.conventions as string[]) : [];
  const areas = layout.map((d) => ({
    path: d.dir,
    holds: `${CANNED} ${d.languages.join(", ") || "files"}${d.holds.length ? ` about ${d.holds.slice(0, 4).join(", ")}` : ""}${d.key_files[0] ? `; start at ${d.key_files[0]}` : ""}`,
  }));
  return {
    summary: `${CANNED} ${String(task.context.repo ?? "The repository")} has ${layout.length} top-level area(s).`,
    areas: areas.length ? areas : [{ path: ".", holds: `${CANNED} nothing yet` }],
    conventions: conventions.map((path) => `${CANNED} Follow ${path}.`),
    commands: commands.filter((c) => /\b(test|build|lint)\b/.test(c.name)).map((c) => ({ name: c.name, run: c.run })),
    pitfalls: [`${CANNED} None found: this summary is canned, not read from the code.`],
  };
}

const CHECKLIST_LINE = /^\s*[-*] \[ \] (.+)$/gm;
const AFTER = /\s*\(after ([\d,\s]+)\)\s*$/i;

/** The `- [ ] ` lines of an issue body: the builtin agent's tasks. */
export function checklistOf(body: string): string[] {
  return [...body.matchAll(CHECKLIST_LINE)].map((m) => (m[1] ?? "").trim()).filter(Boolean);
}

/** Whether the builtin design proposes a split: the issue has a checklist. */
const hasChecklist = (task: AgentTask): boolean => checklistOf(issueOf(task).body ?? "").length > 0;

/**
 * The builtin plan: one task per checklist line, in order, naming no files; a line ending
 * in `(after 1, 3)` depends on those lines (by position, from 1).
 */
function plan(task: AgentTask): PlanOutput {
  const lines = checklistOf(issueOf(task).body ?? "");
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
        depends_on: after
          ? (after[1] ?? "")
              .split(",")
              .map((n) => n.trim())
              .filter(Boolean)
          : [],
      };
    }),
  };
}

/** The canned answer of every agent kind; a kind without one, or one its schema refuses, does not compile. */
const ANSWERS: { [K in keyof AgentKinds]: (task: AgentTask) => z.input<AgentKinds[K]["output"]> } = { triage, design, implement, review, plan, lessons, scout };

/** The builtin agent's answer to a task (before it is written out as text). */
export const cannedAnswer = (task: AgentTask): unknown => ANSWERS[task.kind](task);

async function delay(task: AgentTask): Promise<void> {
  const ms = task.server.env.BATON_BUILTIN_DELAY;
  if (task.signal.aborted) throw new TransientError("the builtin agent was stopped");
  if (ms <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    task.signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new TransientError("the builtin agent was stopped"));
      },
      { once: true },
    );
  });
}

/**
 * The `builtin` backend: deterministic, offline, clearly labelled canned output, for the
 * demo, dry runs and tests. It is never chosen unless a config or BATON_DEFAULT_BACKEND names it.
 */
export const builtin: AgentBackend = {
  name: "builtin",
  async run(task) {
    const started = Date.now();
    await delay(task);
    const output = cannedAnswer(task);
    const text = `${CANNED}\n\n\`\`\`json\n${JSON.stringify(output, null, 2)}\n\`\`\`\n`;
    task.onOutput?.(text);
    return {
      text,
      model: "canned",
      usage: {
        input_tokens: Math.ceil(task.prompt.length / 4),
        output_tokens: Math.ceil(text.length / 4),
        cost_usd: 0,
        duration_ms: Date.now() - started,
      },
    };
  },
  async health() {
    return { ok: true, detail: "offline canned output" };
  },
};
