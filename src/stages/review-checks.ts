import { parseDuration } from "../config/duration.js";
import { PermanentError, StageWait } from "../errors.js";
import { isFailing, readAnnotations, readCommitChecks, renderChecks, type ChecksState } from "../github/checks.js";
import { updatePullBranch } from "../github/pull-manners.js";
import { readPull, type PullFacts } from "../github/pull-reviews.js";
import { updateStatus } from "../github/update-status.js";
import { listFeedback, recordFeedback, type FeedbackRequest } from "./human-feedback.js";
import type { StageRun } from "./types.js";

const DEFAULT_CHECKS_TIMEOUT = "30m";
const DEFAULT_MAX_CI_FIXES = 2;

/**
 * The PR head's checks, once every check run and commit status on it has completed (or
 * `checks_timeout` passed since the run first waited: then as they stand). While some are
 * pending the run waits as a delayed job (`StageWait`), holding no worker: a check or
 * status completing wakes it (process-pull-event.ts), else it looks again after
 * `BATON_CHECKS_POLL`. `wait_for_checks: false` reads them once.
 */
export async function awaitChecks(run: StageRun, pull: PullFacts): Promise<ChecksState & { timedOut: boolean }> {
  const checks = await readCommitChecks(run.github, run.ref, pull.head_sha);
  if (checks.state !== "pending" || run.stage.wait_for_checks === false) return { ...checks, timedOut: false };
  const since = run.waitingSince ?? Date.now();
  const deadline = since + parseDuration(run.stage.checks_timeout ?? DEFAULT_CHECKS_TIMEOUT);
  if (Date.now() >= deadline) return { ...checks, timedOut: true };
  if (run.waitingSince === undefined) {
    const waiting = checks.checks
      .filter((c) => !c.completed)
      .map((c) => c.name)
      .join(", ");
    await updateStatus(
      run.github,
      run.ref,
      run.pipeline,
      run.comments,
      run.stage.name,
      { state: "running", note: `waiting for checks: ${waiting}`.slice(0, 120) },
      run.stage.claim,
    );
  }
  throw new StageWait(Math.min(deadline, Date.now() + run.rt.env.BATON_CHECKS_POLL), since, `waiting for checks on ${pull.head_sha.slice(0, 7)}`);
}

/** The section of a verdict that lists each check with its conclusion and link. */
export function renderChecksSection(checks: ChecksState & { timedOut: boolean }): string {
  const note = checks.timedOut ? "\n\n_Some checks were still running when `checks_timeout` ran out; the review did not wait longer._" : "";
  return `### Checks\n\n${renderChecks(checks.checks)}${note}`;
}

/**
 * Red checks on the PR head: record them as CI feedback for a fix revision, or block past
 * `max_ci_fixes` (the implement stage's) with links to the failing checks.
 */
export async function recordFailingChecks(
  run: Pick<StageRun, "github" | "ref" | "pipeline" | "comments">,
  pull: PullFacts,
  checks: ChecksState,
  reviewLabel: string,
): Promise<void> {
  const implement = run.pipeline.stages.find((s) => s.kind === "implement");
  const limit = implement?.max_ci_fixes ?? DEFAULT_MAX_CI_FIXES;
  const sourceKey = `sha-${pull.head_sha}`;
  const failing = checks.checks.filter(isFailing);
  const fixes = listFeedback(run.comments).filter((f) => f.kind === "ci" && f.sourceKey !== sourceKey).length;
  if (fixes >= limit) {
    const links = failing.map((c) => `[${c.name}](${c.url ?? pull.html_url}) (${c.conclusion})`).join(", ");
    throw new PermanentError(`checks still fail on ${pull.html_url} after ${fixes} fix revision(s), the limit of \`max_ci_fixes\` (${limit}): ${links}.`, {
      hint: `Fix the checks by hand (or raise \`max_ci_fixes\` on the implement stage), then apply \`${reviewLabel}\` to review again.`,
    });
  }
  const requests: FeedbackRequest[] = [];
  for (const check of failing) {
    const annotations = check.source === "check-run" && check.id ? await readAnnotations(run.github, run.ref, check.id) : [];
    const text = [`Check **${check.name}** ended \`${check.conclusion}\`.`, check.title, check.summary, check.text, ...annotations].filter(Boolean).join("\n");
    requests.push({ source: "check", author: undefined, text, url: check.url });
  }
  await recordFeedback(run.github, run.ref, run.comments, {
    kind: "ci",
    pr: pull.number,
    prUrl: pull.html_url,
    sourceKey,
    heading: `Failing checks on ${pull.head_sha.slice(0, 7)}`,
    requests,
  });
}

/** How many times review looks for the merge commit GitHub makes after update-branch. */
const UPDATE_POLLS = 30;

/**
 * The base moved since Baton's branch was made: merge it in before judging (`update_branch`,
 * default on), so review and CI see what merging would produce. A conflict answers
 * `conflict`: the caller sends the issue back to implement, which merges in its workspace.
 */
export async function bringUpToDate(run: StageRun, pull: PullFacts): Promise<PullFacts | "conflict"> {
  if (run.stage.update_branch === false) return pull;
  const result = await updatePullBranch(run.github, run.ref, pull);
  if (result === "current") return pull;
  if (result === "conflict") return "conflict";
  for (let i = 0; i < UPDATE_POLLS; i++) {
    const fresh = await readPull(run.github, run.ref, pull.number);
    if (fresh.head_sha !== pull.head_sha) return fresh;
    await new Promise((resolve) => setTimeout(resolve, Math.min(run.rt.env.BATON_CHECKS_POLL, 2_000)));
  }
  return readPull(run.github, run.ref, pull.number);
}

/**
 * Merging the moved base conflicts: record it as feedback (once per head commit) so the
 * implement stage merges the base in its workspace and resolves the conflicting files.
 */
export async function recordConflict(run: Pick<StageRun, "github" | "ref" | "comments">, pull: PullFacts): Promise<void> {
  await recordFeedback(run.github, run.ref, run.comments, {
    kind: "base-conflict",
    pr: pull.number,
    prUrl: pull.html_url,
    sourceKey: `conflict-${pull.head_sha}`,
    heading: `\`${pull.base_ref}\` moved and conflicts with ${pull.head_sha.slice(0, 7)}`,
    requests: [
      {
        source: "conflict",
        text: `\`${pull.base_ref}\` moved since \`${pull.head_ref}\` was made, and merging it conflicts. The next revision merges it into the branch and resolves the conflicting files.`,
      },
    ],
  });
}
