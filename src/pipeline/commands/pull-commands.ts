import type { Pipeline } from "../../config/resolve-pipeline.js";
import { addLabels, removeLabel } from "../../github/labels.js";
import { branchExists } from "../../github/pull-manners.js";
import { isBatonPull, readPull } from "../../github/pull-reviews.js";
import type { GitHub, IssueRef } from "../../github/types.js";
import type { Runtime } from "../../runtime.js";
import { reviseFromCommand } from "../process-pull-event.js";

/**
 * A `/baton` command written on Baton's PR acts on the PR's issue (`baton/issue-<n>`, same
 * repository, opened by the bot); on any other PR or issue it acts where it was written.
 */
export async function resolveCommandTarget(rt: Runtime, github: GitHub, where: IssueRef): Promise<{ ref: IssueRef; pr?: number }> {
  const { data } = await github.rest.issues.get({ owner: where.owner, repo: where.repo, issue_number: where.number });
  if (!data.pull_request) return { ref: where };
  const pull = await readPull(github, where, where.number);
  const issue = Number(/^baton\/issue-(\d+)$/.exec(pull.head_ref)?.[1]);
  if (!(issue > 0)) return { ref: where };
  const ref = { ...where, number: issue };
  return isBatonPull(pull, ref, await rt.botLogin()) ? { ref, pr: where.number } : { ref: where };
}

async function readCommentBody(github: GitHub, ref: IssueRef, commentId: number): Promise<string> {
  const { data } = await github.rest.issues.getComment({ owner: ref.owner, repo: ref.repo, comment_id: commentId });
  return data.body ?? "";
}

/** `/baton base <branch>`: the issue's `base:<branch>` label (the one truth), and the open PR's base with it. */
export async function setBase(
  github: GitHub,
  ref: IssueRef,
  pipeline: Pipeline,
  labels: string[],
  where: IssueRef,
  commentId: number,
  pr: number | undefined,
): Promise<string> {
  const body = await readCommentBody(github, where, commentId);
  const branch = /^\s*\/baton\s+base\s+(\S+)/im.exec(body)?.[1];
  if (!branch) return "say which branch: `/baton base <branch>`.";
  if (!(await branchExists(github, ref, branch))) return `there is no branch \`${branch}\` in this repository; nothing was changed.`;
  const prefix = pipeline.config.labels.base_prefix;
  await addLabels(github, ref, [`${prefix}${branch}`]);
  for (const old of labels.filter((l) => l.startsWith(prefix) && l !== `${prefix}${branch}`)) await removeLabel(github, ref, old);
  if (pr) await github.rest.pulls.update({ owner: ref.owner, repo: ref.repo, pull_number: pr, base: branch });
  return `Baton's pull request for #${ref.number} targets \`${branch}\`${pr ? " from now on (the PR's base was changed)" : " when it is opened"}.`;
}

/** `/baton revise <what to change>` on Baton's PR: a revision with that request. */
export async function revise(
  rt: Runtime,
  github: GitHub,
  ref: IssueRef,
  pipeline: Pipeline,
  where: IssueRef,
  commentId: number,
  commenter: string,
  pr: number | undefined,
): Promise<string> {
  if (!pr) return "`/baton revise` works in the conversation of Baton's pull request.";
  return reviseFromCommand(rt, github, pipeline, ref, pr, { id: commentId, author: commenter, body: await readCommentBody(github, where, commentId) });
}
