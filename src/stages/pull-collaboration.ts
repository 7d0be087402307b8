import { PermanentError } from "../errors.js";
import { isByApp } from "../github/app-identity.js";
import { ensureComment } from "../github/ensure-comment.js";
import { findLabelActor } from "../github/find-label-actor.js";
import { cachedRole, hasAtLeast } from "../github/permissions.js";
import { branchExists, chooseBase, requestReviewers } from "../github/pull-manners.js";
import { answerFeedback, type Feedback } from "./human-feedback.js";
import type { StageRun } from "./types.js";

/**
 * The branch Baton's PR targets: a `base:<branch>` label on the issue, else the implement
 * stage's `base:`, else the repository's default branch. A branch that does not exist blocks
 * with a message instead of failing inside git.
 */
export async function resolveBase(run: StageRun, defaultBranch: string): Promise<{ base: string; label: string | undefined }> {
  const label = await trustedBaseLabel(run);
  const base = chooseBase(label ? [label] : [], run.pipeline.config.labels.base_prefix, run.stage.base, defaultBranch);
  if (base !== defaultBranch && !(await branchExists(run.github, run.ref, base))) {
    throw new PermanentError(`the base branch \`${base}\` does not exist in this repository.`, {
      hint: `Push \`${base}\`, or change the \`${run.pipeline.config.labels.base_prefix}\` label (or \`base:\` in .github/baton.yml), then comment \`/baton retry\`.`,
    });
  }
  return { base, label };
}

/**
 * The issue's `base:<branch>` label, when the app applied it (`/baton base`) or a person with
 * at least `permissions.commands`: whoever can label must not steer where Baton pushes for
 * review. Anyone else's is ignored, with one note on the issue saying so.
 */
async function trustedBaseLabel(run: StageRun): Promise<string | undefined> {
  const prefix = run.pipeline.config.labels.base_prefix;
  const label = run.issue.labels.find((l) => l.startsWith(prefix) && l.length > prefix.length);
  if (!label) return undefined;
  const applied = await findLabelActor(run.github, run.ref, label);
  if (applied && isByApp(applied, await run.rt.appIdentity())) return label;
  const minimum = run.pipeline.config.permissions.commands;
  const login = applied?.actor.login;
  const role = login && applied.actor.type !== "Bot" ? await cachedRole(run.rt, run.github, run.ref, login) : "none";
  if (hasAtLeast(role, minimum)) return label;
  // The label is the refused person's text: no backtick to leave the code span, no `-->` to leave the marker.
  const shown = label.replace(/`|-->/g, "");
  const who = login ? `@${login} applied \`${shown}\`, but` : `Nobody Baton can name applied \`${shown}\`, and`;
  await ensureComment(
    run.github,
    run.ref,
    `<!-- baton:base-refused label=${shown} -->`,
    `ℹ️ ${who} choosing the branch Baton's pull request targets needs at least **${minimum}** permission on this repository${login ? ` (yours: ${role})` : ""}, so Baton ignores the label and uses ${run.stage.base ? `\`${run.stage.base}\` (\`base:\` in .github/baton.yml)` : "the repository's default branch"}. A maintainer can apply the label instead, or comment \`/baton base <branch>\`.`,
    run.comments,
  );
  return undefined;
}

/** The line of the PR body that says which base was used, and why. */
export function describeBase(run: StageRun, base: string, label: string | undefined, defaultBranch: string): string {
  const why = label ? `the \`${label}\` label` : "`base:` in .github/baton.yml";
  return `\n\n**Base branch:** \`${base}\` (${base === defaultBranch && !label && !run.stage.base ? "the repository's default branch" : why}).`;
}

/**
 * After implement pushed and the PR is open: answer the feedback this revision addressed
 * (a reply in each inline thread, one summary on the PR) and, on a new PR, ask the issue's
 * author and whoever applied the entry label for a review when they have write access.
 */
export async function afterImplement(
  run: StageRun,
  pull: { number: number; created: boolean },
  feedback: Feedback | undefined,
  result: { summary: string; sha: string | undefined; revision: number },
): Promise<void> {
  if (feedback && feedback.pr === pull.number) await answerFeedback(run.github, run.ref, await run.rt.appIdentity(), feedback, result);
  if (pull.created) {
    try {
      const entry = run.pipeline.stages.find((s) => s.entry);
      const applier = entry ? (await findLabelActor(run.github, run.ref, entry.on))?.actor.login : undefined;
      await requestReviewers(run.github, run.ref, pull.number, [run.issue.author, applier ?? ""], await run.rt.botLogin());
    } catch (error) {
      run.log.warn({ err: error }, "could not request a review on the new PR");
    }
  }
}
