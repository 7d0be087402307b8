import type { GitHub, RepoRef } from "./types.js";

/** One check run or commit status on a commit, as Baton reports and judges it. */
export interface CommitCheck {
  name: string;
  source: "check-run" | "status";
  /** `completed` once it has a conclusion. */
  completed: boolean;
  /** success, failure, timed_out, action_required, neutral, skipped, cancelled, stale; a status's error/failure/success. */
  conclusion: string | null;
  url: string | null;
  id?: number;
  title?: string | null;
  summary?: string | null;
  text?: string | null;
}

export interface ChecksState {
  /** `success` also when the commit has no checks and no statuses at all. */
  state: "pending" | "success" | "failure";
  checks: CommitCheck[];
}

/** Conclusions that fail a commit: they stop the pipeline and ask for a fix. */
const FAILING = new Set(["failure", "timed_out", "action_required", "error"]);

export const isFailing = (check: CommitCheck): boolean => check.completed && FAILING.has(check.conclusion ?? "");

/**
 * Every check run and commit status on `sha`, and what they add up to. GitHub's combined
 * status says `pending` for a commit with no statuses at all; Baton counts "nothing
 * reported" as green, or a repository without CI could never be approved.
 */
export async function readCommitChecks(github: GitHub, repo: RepoRef, sha: string): Promise<ChecksState> {
  const runs = await github.paginate(github.rest.checks.listForRef, { owner: repo.owner, repo: repo.repo, ref: sha, per_page: 100 });
  const { data: combined } = await github.rest.repos.getCombinedStatusForRef({ owner: repo.owner, repo: repo.repo, ref: sha, per_page: 100 });
  const checks: CommitCheck[] = [
    ...latestByName(runs).map((r) => ({
      name: r.name,
      source: "check-run" as const,
      completed: r.status === "completed",
      conclusion: r.conclusion ?? null,
      url: r.html_url ?? r.details_url ?? null,
      id: r.id,
      title: r.output?.title ?? null,
      summary: r.output?.summary ?? null,
      text: r.output?.text ?? null,
    })),
    ...combined.statuses.map((s) => ({
      name: s.context,
      source: "status" as const,
      completed: s.state !== "pending",
      conclusion: s.state === "pending" ? null : s.state,
      url: s.target_url ?? null,
      summary: s.description ?? null,
    })),
  ];
  const state = checks.some((c) => !c.completed) ? "pending" : checks.some(isFailing) ? "failure" : "success";
  return { state, checks };
}

/** A re-run check keeps its name: only its newest run counts. */
function latestByName<T extends { name: string; id: number }>(runs: T[]): T[] {
  const newest = new Map<string, T>();
  for (const run of runs) if ((newest.get(run.name)?.id ?? -1) < run.id) newest.set(run.name, run);
  return [...newest.values()];
}

/** The annotations of a failing check run (file, lines, message), at most `max`. */
export async function readAnnotations(github: GitHub, repo: RepoRef, checkRunId: number, max = 20): Promise<string[]> {
  const { data } = await github.rest.checks.listAnnotations({ owner: repo.owner, repo: repo.repo, check_run_id: checkRunId, per_page: max });
  return data
    .slice(0, max)
    .map(
      (a) =>
        `${a.path}:${a.start_line}${a.end_line !== a.start_line ? `-${a.end_line}` : ""} ${a.annotation_level ?? ""}: ${a.title ? `${a.title}: ` : ""}${a.message ?? ""}`,
    );
}

/** A Markdown table of checks: name, conclusion, link. */
export function renderChecks(checks: CommitCheck[]): string {
  if (checks.length === 0) return "_No checks or statuses reported on this commit._";
  const icon = (c: CommitCheck) => (!c.completed ? "⏳" : isFailing(c) ? "❌" : c.conclusion === "success" ? "✅" : "➖");
  const rows = checks.map(
    (c) => `| ${icon(c)} ${c.completed ? c.conclusion : "pending"} | ${c.name.replace(/\|/g, "\\|")} | ${c.url ? `[details](${c.url})` : "—"} |`,
  );
  return ["| Conclusion | Check | Link |", "|---|---|---|", ...rows].join("\n");
}
