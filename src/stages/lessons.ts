import type { Pipeline } from "../config/resolve-pipeline.js";
import type { AppIdentity } from "../github/app-identity.js";
import { findArtifacts, parseArtifact, renderArtifact, type Artifact } from "../github/artifacts.js";
import { addLabels, removeLabel } from "../github/labels.js";
import { listComments } from "../github/list-comments.js";
import { issueBranch, isOwnPull, type PullOrigin } from "../github/pulls.js";
import { readStatus } from "../github/status-comment.js";
import type { GitHub, IssueComment, IssueRef } from "../github/types.js";
import { updateStatus } from "../pipeline/update-status.js";

export const LESSONS_STAGE = "lessons";

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
  const worked = revisions <= 1 ? "The first implementation passed review." : `It took ${revisions} implementations; the review asked for changes ${reviews.filter((r) => r.meta.verdict === "needs-changes").length} time(s).`;
  const failed = preflightFailures ? `Pre-flight failed ${preflightFailures} time(s) before passing: look at the checks the agent missed.` : "Pre-flight passed on every first try.";
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

/**
 * A Baton PR was merged: record the lessons on the issue and mark it done.
 * 1. Post the lessons artifact once per PR (a redelivery finds it and does not post again).
 * 2. Add a lessons row to the status comment.
 * 3. Replace the pipeline's status labels with `labels.done`.
 */
export async function recordLessons(github: GitHub, ref: IssueRef, pipeline: Pipeline, prNumber: number, app: AppIdentity): Promise<string> {
  if (!(await isBatonPull(github, ref, pipeline, prNumber, app))) return `(skipped: PR #${prNumber} is not a merged Baton PR for #${ref.number})`;
  let comments = await listComments(github, ref, app);
  const runId = `lessons-pr${prNumber}`;
  const artifact = findArtifacts(comments, LESSONS_STAGE).find((a) => a.meta.run_id === runId);
  let url = artifact?.comment.html_url;
  if (!artifact) {
    const { markdown, facts } = renderLessons(pipeline, comments, prNumber);
    const { data } = await github.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body: renderArtifact(LESSONS_STAGE, 1, markdown, { run_id: runId, kind: LESSONS_STAGE, outcome: "pass", pr_number: prNumber, ...facts }) });
    url = data.html_url;
    comments = [...comments, data as IssueComment];
  }
  const done = pipeline.config.labels.done;
  await updateStatus(github, ref, pipeline, comments, LESSONS_STAGE, { state: "passed", artifact_url: url, note: `PR #${prNumber} merged` }, done);
  const statusLabels = new Set([...pipeline.stages.flatMap((s) => [s.on, s.claim, ...Object.values(s.next)]), pipeline.config.labels.blocked]);
  const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
  await addLabels(github, ref, [done]);
  for (const label of issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")))) {
    if (statusLabels.has(label) && label !== done) await removeLabel(github, ref, label);
  }
  return url ?? "";
}
