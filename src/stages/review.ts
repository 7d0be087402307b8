import { runAgent } from "../agents/run-agent.js";
import { agentRequest, withCodeView } from "./agent-request.js";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import type { ReviewOutput } from "../agents/outputs.js";
import { PermanentError } from "../errors.js";
import { isByApp } from "../github/app-identity.js";
import { findArtifacts } from "../github/artifacts.js";
import { readPullDiff } from "../github/pulls.js";
import { renderPreflight, type PreflightResult } from "../process/run-preflight.js";
import { readSpec } from "./read-spec.js";
import { latestOfKind } from "./latest-of-kind.js";
import { findOwnArtifact, nextRevision, postArtifact } from "./post-artifact.js";
import { listFeedback, renderRequests } from "./human-feedback.js";
import type { StageHandler, StageRun } from "./types.js";
import { markReadyForReview } from "../github/pull-manners.js";
import { readPull, type PullFacts } from "../github/pull-reviews.js";
import { awaitChecks, bringUpToDate, recordConflict, recordFailingChecks, renderChecksSection } from "./review-checks.js";

/**
 * Review: a clean reviewer judges the PR against each acceptance criterion.
 * 1. Read the spec, its criteria, the PR (from the implement artifact) and its diff —
 *    never the implementer's transcript.
 * 2. Ask the agent for a verdict per criterion.
 * 3. Wait for the PR head's checks (`wait_for_checks`); red checks skip the agent and ask
 *    for a fix revision with the failures (bounded by `max_ci_fixes`), never an approval.
 * 4. Post it as a PR review (COMMENT: an app cannot approve its own PR) and as a verdict
 *    artifact listing the checks; needs-changes past `max_revisions` blocks the issue. An
 *    approval marks a draft PR ready for review.
 */
export const review: StageHandler = async (run) => {
  const own = findOwnArtifact(run);
  if (own) {
    // A retry after the verdict was posted: the revision limit still applies.
    checkRevisionLimit(run, own.meta.verdict);
    return {
      outcome: own.meta.outcome,
      artifactUrl: own.comment.html_url,
      prUrl: String(own.meta.pr_url ?? ""),
      revision: own.revision,
      note: "reused this run's verdict",
    };
  }
  const implementation = latestOfKind(run, "implement");
  const prNumber = Number(implementation?.meta.pr_number);
  if (!implementation || !prNumber) {
    throw new PermanentError("there is no implementation (pull request) on this issue to review.", {
      hint: "Run the implement stage first, then apply the review label again.",
    });
  }
  const prUrl = String(implementation.meta.pr_url ?? "");
  const design = run.pipeline.stages.find((s) => s.kind === "design");
  const spec = design ? readSpec(run.comments, design.name) : undefined;
  const criteria = (spec?.criteria ?? []).map(sanitizeUntrusted);
  // The diff is repository content and the spec may be edited by people: both untrusted.
  const diff = sanitizeUntrusted(await readPullDiff(run.github, run.ref, prNumber));
  const preflight = (implementation.meta.preflight as PreflightResult[] | undefined) ?? [];
  const pull = await readPull(run.github, run.ref, prNumber);
  const current = await bringUpToDate(run, pull);
  if (current === "conflict") return reviewConflict(run, pull, prUrl);
  const checks = await awaitChecks(run, current);
  if (checks.state === "failure") return reviewRedChecks(run, current, checks, prUrl);

  const result = await withCodeView(run, async (view) =>
    runAgent("review", {
      ...(await agentRequest(run, view)),
      context: {
        spec: spec ? sanitizeUntrusted(spec.markdown) : "(implemented from the issue alone)",
        criteria,
        diff,
        preflight: renderPreflight(preflight),
        human_requests: humanRequests(run),
      },
    }),
  );
  const verdict = result.data;
  const body = `${renderVerdict(run, verdict, prNumber, prUrl)}\n\n${renderChecksSection(checks)}`;
  await postPullReview(run, prNumber, body);
  if (verdict.verdict === "approved" && current.draft) await markReadyForReview(run.github, current.node_id);
  const revision = nextRevision(run);
  const comment = await postArtifact(run, revision, body, {
    outcome: verdict.verdict,
    verdict: verdict.verdict,
    criteria: verdict.criteria,
    pr_number: prNumber,
    pr_url: prUrl,
    backend: result.backend,
    model: result.model,
    usage: result.usage,
  });
  checkRevisionLimit({ ...run, comments: [...run.comments, comment] }, verdict.verdict);
  const passed = verdict.criteria.filter((c) => c.pass).length;
  return {
    outcome: verdict.verdict,
    artifactUrl: comment.html_url,
    prUrl,
    revision,
    usage: result.usage,
    backend: result.backend,
    model: result.model,
    note: `${verdict.verdict}: ${passed}/${verdict.criteria.length} criteria`,
  };
};

/**
 * The revision loop is bounded (docs/architecture.md §1 invariant 6), counted from GitHub: every
 * needs-changes verdict artifact on the issue is one revision asked for.
 */
function checkRevisionLimit(run: StageRun, verdict: unknown): void {
  const limit = run.stage.max_revisions;
  if (verdict !== "needs-changes" || limit === undefined) return;
  const rounds = run.pipeline.stages
    .filter((s) => s.kind === "review")
    .flatMap((s) => findArtifacts(run.comments, s.name))
    .filter((a) => a.meta.verdict === "needs-changes" && !a.meta.checks_failed).length;
  if (rounds <= limit) return;
  throw new PermanentError(`the review asked for changes ${rounds} times, past max_revisions (${limit}).`, {
    hint: `Read the latest verdict above and the PR; fix it by hand or raise \`max_revisions\`, then remove the blocked label and apply \`${run.stage.on}\` again.`,
  });
}

/**
 * Red checks: no agent run (a red check is never approved). The failures become CI feedback
 * for a fix revision, and the verdict says needs-changes with the checks listed.
 */
async function reviewRedChecks(run: StageRun, pull: PullFacts, checks: Awaited<ReturnType<typeof awaitChecks>>, prUrl: string) {
  await recordFailingChecks(run, pull, checks, run.stage.on);
  const { comment: _comment, ...result } = await sendBack(
    run,
    pull,
    prUrl,
    "Checks failed on the head commit; Baton fixes them in a new revision before judging the change.",
    renderChecksSection(checks),
    { checks_failed: true },
    "checks failed: fix revision",
  );
  return result;
}

/**
 * The base moved and merging it conflicts: no agent run (there is nothing mergeable to
 * judge). A revision merges the base and resolves the conflicts; it counts toward
 * `max_revisions`, so a base that keeps conflicting ends blocked.
 */
async function reviewConflict(run: StageRun, pull: PullFacts, prUrl: string) {
  await recordConflict(run, pull);
  const why = `\`${pull.base_ref}\` moved since \`${pull.head_ref}\` was made, and merging it conflicts; Baton merges it and resolves the conflicts in a new revision before judging the change.`;
  const { comment, ...result } = await sendBack(run, pull, prUrl, why, "", { base_conflict: true }, "base conflicts: merge revision");
  checkRevisionLimit({ ...run, comments: [...run.comments, comment] }, "needs-changes");
  return result;
}

/** A needs-changes verdict Baton reached without its agent: on the PR and as the artifact. */
async function sendBack(run: StageRun, pull: PullFacts, prUrl: string, why: string, section: string, meta: Record<string, unknown>, note: string) {
  const body = [`## 🚦 Review: needs-changes`, "", `**Pull request:** [#${pull.number}](${prUrl})`, "", why, ...(section ? ["", section] : [])].join("\n");
  await postPullReview(run, pull.number, body);
  const revision = nextRevision(run);
  const comment = await postArtifact(run, revision, body, {
    outcome: "needs-changes",
    verdict: "needs-changes",
    ...meta,
    criteria: [],
    pr_number: pull.number,
    pr_url: prUrl,
  });
  return { outcome: "needs-changes", artifactUrl: comment.html_url, prUrl, revision, note, comment };
}

/** One review per run on the PR: a retry finds its own by the marker and does not post again. */
async function postPullReview(run: StageRun, prNumber: number, body: string): Promise<void> {
  const marker = `<!-- baton:review run=${run.runId} -->`;
  const { data: reviews } = await run.github.rest.pulls.listReviews({ owner: run.ref.owner, repo: run.ref.repo, pull_number: prNumber, per_page: 100 });
  // Only the app's own review counts: anyone can post a review carrying the marker.
  const app = await run.rt.appIdentity();
  if (reviews.some((r) => r.body?.startsWith(marker) && isByApp(r, app))) return;
  await run.github.rest.pulls.createReview({ owner: run.ref.owner, repo: run.ref.repo, pull_number: prNumber, event: "COMMENT", body: `${marker}\n${body}` });
}

function renderVerdict(run: StageRun, verdict: ReviewOutput, prNumber: number, prUrl: string): string {
  const icon = { approved: "✅", "needs-changes": "🔁", rejected: "⛔" }[verdict.verdict];
  const cell = (text: string) => text.replace(/\n/g, " ").replace(/\|/g, "\\|");
  const rows = verdict.criteria.map((c) => `| ${c.pass ? "✅ pass" : "❌ fail"} | ${cell(c.criterion)} | ${cell(c.evidence)} |`);
  const lines = [
    `## ${icon} Review: ${verdict.verdict}`,
    "",
    `**Pull request:** [#${prNumber}](${prUrl})`,
    "",
    verdict.summary,
    "",
    ...(rows.length ? ["| Verdict | Criterion | Evidence |", "|---|---|---|", ...rows] : ["_No acceptance criteria to judge against._"]),
  ];
  if (verdict.verdict === "rejected") {
    const implement = run.pipeline.stages.find((s) => s.kind === "implement");
    lines.push(
      "",
      `**To resume:** address the reasons above (edit the spec or the PR), then apply \`${implement?.on ?? run.stage.on}\` to implement again or \`${run.stage.on}\` to review again.`,
    );
  }
  return lines.join("\n");
}

/** What a person last asked for on the PR (recorded on the issue, sanitized when recorded): the reviewer checks it was done. */
function humanRequests(run: StageRun): string {
  const asked = listFeedback(run.comments)
    .filter((f) => f.kind === "human-review")
    .at(-1);
  return asked ? renderRequests(asked.requests) : "(none)";
}
