import { z } from "zod";
import type { Pipeline } from "../config/resolve-pipeline.js";
import { isPermanent, describeError, TransientError } from "../errors.js";
import { readCommitChecks } from "../github/checks.js";
import { ensureComment, findLastByMarker } from "../github/ensure-comment.js";
import { addLabels, removeLabel, swapLabel } from "../github/labels.js";
import { listComments } from "../github/list-comments.js";
import { hasAtLeast, readRole } from "../github/permissions.js";
import { isBatonPull, listInlineComments, readPull, readReview, type PullFacts } from "../github/pull-reviews.js";
import { findOpenPull, issueBranch } from "../github/pulls.js";
import type { AppIdentity } from "../github/app-identity.js";
import { IssueRef, type GitHub } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { listFeedback, recordFeedback, type FeedbackRequest } from "../stages/human-feedback.js";
import { recordFailingChecks } from "../stages/review-checks.js";
import { blockIssue } from "./block-issue.js";
import { loadPipeline } from "./load-pipeline.js";
import { wakeChecksWaiters } from "./checks-waiters.js";
import { withIssueLock } from "./with-issue-lock.js";

export const PullEvent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("review"), pr: z.number().int(), reviewId: z.number().int() }),
  z.object({ kind: z.literal("review-comment"), pr: z.number().int(), commentId: z.number().int() }),
  z.object({ kind: z.literal("checks"), sha: z.string().regex(/^[0-9a-f]{40}$/) }),
  z.object({ kind: z.literal("closed"), pr: z.number().int() }),
  z.object({ kind: z.literal("reopened"), pr: z.number().int() }),
]);
export type PullEvent = z.infer<typeof PullEvent>;

/** Something happened on Baton's PR for `issue` (see accept-pull-event.ts). */
export const PullEventTask = z.object({ task: z.literal("pull-event"), issue: IssueRef, event: PullEvent });
export type PullEventTask = z.infer<typeof PullEventTask>;

const DEFAULT_MAX_HUMAN_REVISIONS = 5;

interface Ctx {
  rt: Runtime;
  github: GitHub;
  ref: IssueRef;
  pipeline: Pipeline;
  app: AppIdentity;
  bot: string;
}

/**
 * Baton's PR as a collaborator (README: "Working with Baton's pull requests"):
 * - a review asking for changes (or naming the app, or `/baton revise`) by a person with
 *   `permissions.commands` starts a revision with every request in the implement prompt;
 * - red checks on the head commit after the review let it go start a fix revision;
 * - closed without a merge blocks the issue; reopened resumes at review.
 */
export async function processPullEvent(rt: Runtime, task: PullEventTask): Promise<string> {
  const ref = task.issue;
  const github = await rt.auth(ref.installationId);
  const config = await loadPipeline(rt, github, ref);
  if (!config.ok) return "config invalid: PR events ignored";
  const app = await rt.appIdentity();
  const ctx: Ctx = { rt, github, ref, pipeline: config.pipeline, app, bot: app.botLogin };
  const event = task.event;
  switch (event.kind) {
    case "review":
    case "review-comment":
      return onHumanReview(ctx, event);
    case "checks":
      return onChecks(ctx, event.sha);
    case "closed":
      return onClosed(ctx, event.pr);
    case "reopened":
      return onReopened(ctx, event.pr);
  }
}

/** What a person asked for, and whether it asks Baton for a revision at all. */
interface Ask {
  sourceKey: string;
  author: string;
  authorType: string;
  asksRevision: boolean;
  requests: FeedbackRequest[];
}

async function onHumanReview(ctx: Ctx, event: Extract<PullEvent, { kind: "review" | "review-comment" }>): Promise<string> {
  const pull = await readPull(ctx.github, ctx.ref, event.pr);
  if (!isBatonPull(pull, ctx.ref, ctx.bot) || pull.state !== "open") return `PR #${event.pr} is not Baton's open PR for #${ctx.ref.number}`;
  const ask = await readAsk(ctx, pull, event);
  if (!ask || ask.authorType === "Bot") return "not a person's review";
  if (!ask.asksRevision) return "the review asks Baton for nothing";
  const minimum = ctx.pipeline.config.permissions.commands;
  const role = await readRole(ctx.github, ctx.ref, ask.author);
  if (!hasAtLeast(role, minimum)) {
    const prRef = { ...ctx.ref, number: pull.number };
    await ensureComment(
      ctx.github,
      prRef,
      "<!-- baton:review-not-acted-on -->",
      `Thanks for the review, @${ask.author}. Baton revises its pull requests on reviews from people with at least **${minimum}** permission on this repository, so it did not act on this one; a maintainer can ask for the change.`,
      await listComments(ctx.github, prRef, ctx.app),
    );
    return `${ask.author} has ${role}, below ${minimum}: noted on the PR`;
  }
  return requestRevision(ctx, pull, ask);
}

/**
 * `/baton revise <what to change>` in the PR's conversation, by a person the command
 * runner already checked against `permissions.commands`.
 */
export async function reviseFromCommand(
  rt: Runtime,
  github: GitHub,
  pipeline: Pipeline,
  ref: IssueRef,
  pr: number,
  comment: { id: number; author: string; body: string },
): Promise<string> {
  const app = await rt.appIdentity();
  const ctx: Ctx = { rt, github, ref, pipeline, app, bot: app.botLogin };
  const pull = await readPull(github, ref, pr);
  const text = comment.body.replace(/^\s*\/baton\s+revise\b/i, "").trim();
  if (!text) return "say what to change after `/baton revise`.";
  const ask: Ask = {
    sourceKey: `comment-${comment.id}`,
    author: comment.author,
    authorType: "User",
    asksRevision: true,
    requests: [{ source: "review", author: comment.author, text }],
  };
  return `${await requestRevision(ctx, pull, ask)}.`;
}

/** Records what was asked (once per source) and hands the issue to implement, within `max_human_revisions`. */
async function requestRevision(ctx: Ctx, pull: PullFacts, ask: Ask): Promise<string> {
  return withIssueLock(ctx.rt, ctx.ref.repoId, ctx.ref.number, async () => {
    const comments = await listComments(ctx.github, ctx.ref, ctx.app);
    if (listFeedback(comments).some((f) => f.sourceKey === ask.sourceKey)) return "this review already started a revision";
    const labels = await readLabels(ctx);
    if (ctx.pipeline.stages.some((s) => labels.includes(s.claim)))
      throw new TransientError("a stage is running on the issue; the review waits for it to finish");
    const implement = ctx.pipeline.stages.find((s) => s.kind === "implement");
    if (!implement) return "no implement stage to revise with";
    const limit = implement.max_human_revisions ?? DEFAULT_MAX_HUMAN_REVISIONS;
    const done = listFeedback(comments).filter((f) => f.kind === "human-review").length;
    if (done >= limit) {
      await block(
        ctx,
        labels,
        comments,
        `review-limit-${ask.sourceKey}`,
        `people asked for ${done} revisions on ${pull.html_url}, the limit of \`max_human_revisions\` (${limit}).`,
        `Finish the change by hand on the branch, or raise \`max_human_revisions\` on the implement stage and apply \`${implement.on}\`.`,
      );
      return "blocked: max_human_revisions";
    }
    await recordFeedback(ctx.github, ctx.ref, comments, {
      kind: "human-review",
      pr: pull.number,
      prUrl: pull.html_url,
      sourceKey: ask.sourceKey,
      heading: `Review by @${ask.author}`,
      requests: ask.requests,
    });
    await moveTo(ctx, labels, implement.on);
    return `revision requested by ${ask.author}`;
  });
}

async function readAsk(ctx: Ctx, pull: PullFacts, event: Extract<PullEvent, { kind: "review" | "review-comment" }>): Promise<Ask | undefined> {
  const inline = await listInlineComments(ctx.github, ctx.ref, pull.number);
  let reviewId = event.kind === "review" ? event.reviewId : undefined;
  if (event.kind === "review-comment") {
    const comment = inline.find((c) => c.id === event.commentId);
    if (!comment) return undefined;
    // A comment that belongs to a review is answered with its review (GitHub sends both events).
    const review = comment.review_id ? await readReview(ctx.github, ctx.ref, pull.number, comment.review_id).catch(() => undefined) : undefined;
    if (!review) {
      const request: FeedbackRequest = {
        source: "comment",
        author: comment.user,
        path: comment.path,
        line: comment.line,
        start_line: comment.start_line,
        diff_hunk: comment.diff_hunk,
        text: comment.body,
        comment_id: comment.id,
      };
      return {
        sourceKey: `comment-${comment.id}`,
        author: comment.user,
        authorType: comment.userType,
        asksRevision: asksBaton(ctx, comment.body),
        requests: [request],
      };
    }
    reviewId = review.id;
  }
  const review = await readReview(ctx.github, ctx.ref, pull.number, reviewId!);
  const own = inline.filter((c) => c.review_id === review.id && !c.in_reply_to_id);
  const requests: FeedbackRequest[] = [
    ...(review.body.trim() ? [{ source: "review" as const, author: review.user, text: review.body }] : []),
    ...own.map((c) => ({
      source: "comment" as const,
      author: c.user,
      path: c.path,
      line: c.line,
      start_line: c.start_line,
      diff_hunk: c.diff_hunk,
      text: c.body,
      comment_id: c.id,
    })),
  ];
  const asksRevision = review.state === "CHANGES_REQUESTED" || asksBaton(ctx, review.body) || own.some((c) => asksBaton(ctx, c.body));
  return { sourceKey: `review-${review.id}`, author: review.user, authorType: review.userType, asksRevision, requests };
}

/** A text that names the app (`@<slug>`) or starts with `/baton revise`. */
function asksBaton(ctx: Ctx, text: string): boolean {
  const slug = ctx.bot.replace(/\[bot\]$/, "");
  return new RegExp(`(^|[^\\w-])@${slug.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`, "i").test(text) || /^\s*\/baton\s+revise\b/i.test(text);
}

/**
 * Checks on Baton's PR head completed. While review holds the issue it waits for them
 * itself; otherwise (approved, or `wait_for_checks: false`) red checks start a fix revision.
 */
async function onChecks(ctx: Ctx, sha: string): Promise<string> {
  if (await wakeChecksWaiters(ctx.rt, ctx.ref)) return "woke the review waiting for checks";
  const open = await findOpenPull(ctx.github, ctx.ref, issueBranch(ctx.ref.number), ctx.bot);
  if (!open || open.head_sha !== sha) return "not the head of Baton's open PR";
  const pull = await readPull(ctx.github, ctx.ref, open.number);
  if (!isBatonPull(pull, ctx.ref, ctx.bot)) return "not Baton's PR";
  const checks = await readCommitChecks(ctx.github, ctx.ref, sha);
  if (checks.state !== "failure") return `checks ${checks.state}`;
  return withIssueLock(ctx.rt, ctx.ref.repoId, ctx.ref.number, async () => {
    const labels = await readLabels(ctx);
    const review = ctx.pipeline.stages.find((s) => s.kind === "review");
    const implement = ctx.pipeline.stages.find((s) => s.kind === "implement");
    const settled = labels.includes(review?.next.approved ?? "");
    if (!review || !implement || !settled) return "the pipeline is not waiting on this PR: review reads the checks itself";
    const comments = await listComments(ctx.github, ctx.ref, ctx.app);
    try {
      await recordFailingChecks({ github: ctx.github, ref: ctx.ref, pipeline: ctx.pipeline, comments }, pull, checks, review.on);
    } catch (error) {
      if (!isPermanent(error)) throw error;
      await block(ctx, labels, comments, `checks-${sha}`, describeError(error), error.hint);
      return "blocked: max_ci_fixes";
    }
    await moveTo(ctx, labels, implement.on);
    return "fix revision for red checks";
  });
}

async function onClosed(ctx: Ctx, pr: number): Promise<string> {
  const pull = await readPull(ctx.github, ctx.ref, pr);
  if (!isBatonPull(pull, ctx.ref, ctx.bot) || pull.merged || pull.state !== "closed") return "not Baton's PR closed unmerged";
  return withIssueLock(ctx.rt, ctx.ref.repoId, ctx.ref.number, async () => {
    const { data: issue } = await ctx.github.rest.issues.get({ owner: ctx.ref.owner, repo: ctx.ref.repo, issue_number: ctx.ref.number });
    if (issue.state !== "open") return "the issue is closed";
    const labels = await readLabels(ctx);
    await block(
      ctx,
      labels,
      await listComments(ctx.github, ctx.ref, ctx.app),
      `closed-pr${pr}`,
      `its pull request ${pull.html_url} was closed without merging. The branch \`${pull.head_ref}\` is left as it was.`,
      `Reopen the pull request to have Baton review it again, or remove \`${ctx.pipeline.config.labels.blocked}\` and apply a stage's label to go on.`,
    );
    return "blocked: PR closed unmerged";
  });
}

async function onReopened(ctx: Ctx, pr: number): Promise<string> {
  const pull = await readPull(ctx.github, ctx.ref, pr);
  const review = ctx.pipeline.stages.find((s) => s.kind === "review");
  if (!isBatonPull(pull, ctx.ref, ctx.bot) || pull.state !== "open" || !review) return "not Baton's reopened PR";
  const labels = await readLabels(ctx);
  const blocked = ctx.pipeline.config.labels.blocked;
  const closedNote = findLastByMarker(await listComments(ctx.github, ctx.ref, ctx.app), `<!-- baton:blocked run=closed-pr${pr} -->`);
  if (!labels.includes(blocked) || !closedNote) return "the issue was not blocked by this PR's closing";
  await swapLabel(ctx.github, ctx.ref, blocked, review.on);
  return "resumed at review";
}

async function readLabels(ctx: Ctx): Promise<string[]> {
  const { data } = await ctx.github.rest.issues.listLabelsOnIssue({ owner: ctx.ref.owner, repo: ctx.ref.repo, issue_number: ctx.ref.number, per_page: 100 });
  return data.map((l) => l.name);
}

/** The pipeline labels on the issue (inputs, claims, outcomes), the blocked label aside. */
function pipelineLabels(ctx: Ctx, labels: string[]): string[] {
  const known = new Set(ctx.pipeline.stages.flatMap((s) => [s.on, s.claim, ...Object.values(s.next)]));
  return labels.filter((l) => known.has(l) && l !== ctx.pipeline.config.labels.blocked);
}

/** Hands the issue to `label` as the bot (the normal intake path claims it): the new label first, then the old ones off. */
async function moveTo(ctx: Ctx, labels: string[], label: string): Promise<void> {
  await addLabels(ctx.github, ctx.ref, [label]);
  for (const old of pipelineLabels(ctx, labels).filter((l) => l !== label)) await removeLabel(ctx.github, ctx.ref, old);
  if (labels.includes(ctx.pipeline.config.labels.blocked)) await removeLabel(ctx.github, ctx.ref, ctx.pipeline.config.labels.blocked);
}

async function block(
  ctx: Ctx,
  labels: string[],
  comments: Awaited<ReturnType<typeof listComments>>,
  runId: string,
  reason: string,
  hint: string | undefined,
): Promise<void> {
  const from = pipelineLabels(ctx, labels)[0];
  if (!from) await addLabels(ctx.github, ctx.ref, [ctx.pipeline.config.labels.blocked]);
  await blockIssue(ctx.github, ctx.ref, ctx.pipeline, { reason, hint, fromLabel: from ?? ctx.pipeline.config.labels.blocked, runId, comments });
  for (const other of pipelineLabels(ctx, labels).slice(1)) await removeLabel(ctx.github, ctx.ref, other);
}
