import type { Pipeline } from "../config/resolve-pipeline.js";
import type { AppIdentity } from "../github/app-identity.js";
import { findArtifacts, parseArtifact, renderArtifact, type Artifact } from "../github/artifacts.js";
import { addLabels, removeLabel } from "../github/labels.js";
import { listComments } from "../github/list-comments.js";
import { issueBranch, isOwnPull, type PullOrigin } from "../github/pulls.js";
import { readStatus } from "../github/status-comment.js";
import type { GitHub, IssueComment, IssueRef } from "../github/types.js";
import { updateStatus } from "../github/update-status.js";
import type { CriterionVerdict, Lesson, LessonsOutput } from "../agents/outputs.js";
import { runAgent } from "../agents/run-agent.js";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import type { Usage } from "../agents/types.js";
import { readPullDiff } from "../github/pulls.js";
import { addToKnowledge } from "../knowledge/knowledge-index.js";
import { ownArtifacts } from "../knowledge/own-artifacts.js";
import { renderPreflight, type PreflightResult } from "../process/run-preflight.js";
import type { Runtime } from "../runtime.js";
import { readSpec } from "./read-spec.js";
import { listFeedback, renderRequests } from "./human-feedback.js";

export const LESSONS_STAGE = "lessons";
const LESSONS_TIMEOUT_MS = 10 * 60_000;

/**
 * The issue a Baton PR belongs to: from its branch `baton/issue-<n>`, else its `Closes #<n>`.
 * A PR from a fork is never Baton's, whatever its branch is called.
 */
export function issueOfPull(pull: Pick<PullOrigin, "head" | "base"> & { body?: string | null }): number | undefined {
  if (pull.head.repo?.id !== pull.base.repo.id) return undefined;
  const fromBranch = /^baton\/issue-(\d+)$/.exec(pull.head.ref)?.[1];
  const fromBody = /\bCloses #(\d+)\b/.exec(pull.body ?? "")?.[1];
  const n = Number(fromBranch ?? fromBody);
  return n > 0 ? n : undefined;
}

const formatMs = (ms: number | undefined) => (ms === undefined ? "—" : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

function renderLessons(pipeline: Pipeline, comments: IssueComment[], prNumber: number): { markdown: string; facts: Record<string, unknown> } {
  const { data } = readStatus(comments);
  const all = comments.map(parseArtifact).filter((a): a is Artifact => a !== undefined);
  const ofKind = (kind: string) => all.filter((a) => a.meta.kind === kind);
  const revisions = ofKind("implement").length;
  const reviews = ofKind("review");
  const preflightFailures = ofKind("implement").reduce((sum, a) => sum + Number(a.meta.preflight_failures ?? 0), 0);
  const rows = pipeline.stages.map((s) => {
    const row = data.rows[s.name];
    const cost = row?.cost_usd !== undefined ? `$${row.cost_usd.toFixed(2)}` : "—";
    return `| ${s.name} | ${row?.state ?? "not run"} | ${formatMs(row?.duration_ms)} | ${row?.input_tokens ?? "—"} / ${row?.output_tokens ?? "—"} | ${cost} |`;
  });
  const totalMs = pipeline.stages.reduce((sum, s) => sum + (data.rows[s.name]?.duration_ms ?? 0), 0);
  const totalCost = pipeline.stages.reduce((sum, s) => sum + (data.rows[s.name]?.cost_usd ?? 0), 0);
  const worked =
    revisions <= 1
      ? "The first implementation passed review."
      : `It took ${revisions} implementations; the review asked for changes ${reviews.filter((r) => r.meta.verdict === "needs-changes").length} time(s).`;
  const failed = preflightFailures
    ? `Pre-flight failed ${preflightFailures} time(s) before passing: look at the checks the agent missed.`
    : "Pre-flight passed on every first try.";
  const markdown = [
    "## 📚 Lessons",
    "",
    `PR #${prNumber} was merged. What the pipeline did:`,
    "",
    `- **What worked:** ${worked}`,
    `- **What failed:** ${failed}`,
    `- **Spent:** ${formatMs(totalMs)} of agent time, $${totalCost.toFixed(2)} (priced models only).`,
    "",
    "| Stage | State | Time | Tokens in / out | Cost |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
  return { markdown, facts: { revisions, reviews: reviews.length, preflight_failures: preflightFailures, total_ms: totalMs, total_cost_usd: totalCost } };
}

/**
 * The request path guesses the issue from the branch or a `Closes #<n>`; only a merged PR that
 * the bot opened from this repository, on `baton/issue-<n>` or carrying the configured PR
 * label, is Baton's (a person's PR that merely closes the issue, or a fork's, is not).
 */
async function isBatonPull(github: GitHub, ref: IssueRef, pipeline: Pipeline, prNumber: number, app: AppIdentity): Promise<boolean> {
  const { data: pull } = await github.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: prNumber });
  if (!pull.merged || !isOwnPull(pull, app.botLogin)) return false;
  const labelled = pull.labels.some((l) => l.name === pipeline.config.labels.pr);
  return pull.head.ref === issueBranch(ref.number) || (labelled && issueOfPull(pull) === ref.number);
}

/** What the lessons agent is given: every revision's verdicts, people's reviews and CI failures on the PR, pre-flight results, the spec, the final diff. */
async function lessonsContext(
  rt: Runtime,
  github: GitHub,
  ref: IssueRef,
  pipeline: Pipeline,
  comments: IssueComment[],
  prNumber: number,
): Promise<Record<string, unknown>> {
  const own = ownArtifacts(comments, await rt.appIdentity());
  const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
  const design = pipeline.stages.find((s) => s.kind === "design");
  const spec = design ? readSpec(comments, design.name) : undefined;
  const reviews = own
    .filter((a) => a.meta.kind === "review")
    .map((a, i) => ({
      revision: i + 1,
      verdict: String(a.meta.verdict ?? a.meta.outcome),
      failed: ((a.meta.criteria as CriterionVerdict[] | undefined) ?? []).filter((c) => !c.pass).map((c) => sanitizeUntrusted(`${c.criterion}: ${c.evidence}`)),
      markdown: sanitizeUntrusted(a.markdown),
    }));
  const preflight = own
    .filter((a) => a.meta.kind === "implement")
    .map(
      (a, i) =>
        `Revision ${i + 1} (${Number(a.meta.preflight_failures ?? 0)} failed attempt(s) before this):\n${renderPreflight((a.meta.preflight as PreflightResult[] | undefined) ?? [])}`,
    );
  return {
    issue: { number: ref.number, title: sanitizeUntrusted(issue.title), body: sanitizeUntrusted(issue.body ?? "") },
    spec: spec ? sanitizeUntrusted(spec.markdown) : "(no spec)",
    files: (spec?.artifact.meta.files as string[] | undefined) ?? [],
    reviews,
    reviews_text: reviews.map((r) => `### Revision ${r.revision}: ${r.verdict}\n\n${r.markdown}`).join("\n\n") || "(no review)",
    preflight: preflight.join("\n\n") || "(no pre-flight)",
    // What people asked for on the PR and what CI failed, as recorded on the issue (already sanitized when recorded).
    pr_feedback:
      listFeedback(comments)
        .map(
          (f) =>
            `### ${{ ci: "CI failures", "human-review": "A person's review", "base-conflict": "A conflict with the moved base" }[f.kind]} (${f.sourceKey})\n\n${renderRequests(f.requests)}`,
        )
        .join("\n\n") || "(none)",
    diff: sanitizeUntrusted(await readPullDiff(github, ref, prNumber, 40_000)),
  };
}

const HEADINGS: Record<Lesson["kind"], string> = { worked: "What worked", failed: "What failed", "do-differently": "Next time on this repository" };

function renderAgentLessons(output: LessonsOutput): string {
  const lines = ["## 📚 Lessons", "", output.summary.trim()];
  for (const kind of ["worked", "failed", "do-differently"] as const) {
    const items = output.lessons.filter((l) => l.kind === kind);
    if (items.length)
      lines.push(
        "",
        `### ${HEADINGS[kind]}`,
        "",
        ...items.map((l) => `- ${l.text}${l.areas.length ? ` _(areas: ${l.areas.map((a) => `\`${a}\``).join(", ")})_` : ""}`),
      );
  }
  return lines.join("\n");
}

/**
 * A Baton PR was merged: record the lessons on the issue and mark it done.
 * 1. Ask the lessons agent (`lessons.agent`, else the default route) for what worked, what
 *    failed and what to do differently, from the issue, spec, verdicts, pre-flight and diff.
 * 2. Post the lessons artifact once per PR (a redelivery finds it and does not post again),
 *    with the pipeline's numbers under it; add the issue's artifacts to the knowledge index.
 * 3. Add a lessons row to the status comment; replace the status labels with `labels.done`.
 */
export async function recordLessons(rt: Runtime, github: GitHub, ref: IssueRef, pipeline: Pipeline, prNumber: number): Promise<string> {
  const app = await rt.appIdentity();
  if (!(await isBatonPull(github, ref, pipeline, prNumber, app))) return `(skipped: PR #${prNumber} is not a merged Baton PR for #${ref.number})`;
  let comments = await listComments(github, ref, app);
  const runId = `lessons-pr${prNumber}`;
  const artifact = findArtifacts(comments, LESSONS_STAGE).find((a) => a.meta.run_id === runId);
  let url = artifact?.comment.html_url;
  let usage: Usage | undefined;
  if (!artifact) {
    const result = await runAgent("lessons", {
      runId,
      stage: { name: LESSONS_STAGE, kind: "lessons", agent: pipeline.config.lessons.agent, timeout_ms: LESSONS_TIMEOUT_MS },
      pipeline,
      issueLabels: [],
      server: rt,
      context: await lessonsContext(rt, github, ref, pipeline, comments, prNumber),
    });
    usage = result.usage;
    const { markdown, facts } = renderLessons(pipeline, comments, prNumber);
    const body = `${renderAgentLessons(result.data)}\n\n${markdown.replace("## 📚 Lessons\n\n", "### The numbers\n\n")}`;
    const meta = {
      run_id: runId,
      kind: LESSONS_STAGE,
      outcome: "pass",
      pr_number: prNumber,
      lessons: result.data.lessons,
      backend: result.backend,
      model: result.model,
      usage,
      ...facts,
    };
    const { data } = await github.rest.issues.createComment({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
      body: renderArtifact(LESSONS_STAGE, 1, body, meta),
    });
    url = data.html_url;
    comments = [...comments, data as IssueComment];
    await addToKnowledge(rt, github, ref, comments);
  }
  const done = pipeline.config.labels.done;
  await updateStatus(
    github,
    ref,
    pipeline,
    comments,
    LESSONS_STAGE,
    {
      state: "passed",
      artifact_url: url,
      note: `PR #${prNumber} merged`,
      input_tokens: usage?.input_tokens,
      output_tokens: usage?.output_tokens,
      cost_usd: usage?.cost_usd,
    },
    done,
  );
  const statusLabels = new Set([...pipeline.stages.flatMap((s) => [s.on, s.claim, ...Object.values(s.next)]), pipeline.config.labels.blocked]);
  const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
  await addLabels(github, ref, [done]);
  for (const label of issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")))) {
    if (statusLabels.has(label) && label !== done) await removeLabel(github, ref, label);
  }
  return url ?? "";
}
