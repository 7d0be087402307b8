import { z } from "zod";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { findArtifacts, renderArtifact, type Artifact } from "../github/artifacts.js";
import { ensureComment } from "../github/ensure-comment.js";
import { listComments } from "../github/list-comments.js";
import { listInlineComments, replyInThread } from "../github/pull-reviews.js";
import type { AppIdentity } from "../github/app-identity.js";
import type { GitHub, IssueComment, IssueRef } from "../github/types.js";
import { latestOfKind } from "./latest-of-kind.js";
import type { StageRun } from "./types.js";

/**
 * What people (reviews on Baton's PR) and CI (failing checks) asked Baton to change,
 * recorded as an artifact on the issue (`stage=pr-feedback`) before the revision starts.
 * The implement stage reads it back from GitHub like every other artifact, so a lost Redis
 * or a restarted worker never loses a request, and each request keeps the id of the inline
 * comment to answer in its thread.
 */
export const FEEDBACK_STAGE = "pr-feedback";

/** The longest text of one request, and the diff context kept with an inline comment. */
const MAX_REQUEST_CHARS = 2_000;
const MAX_HUNK_LINES = 12;

export const FeedbackRequest = z.object({
  /** review (its body), comment (an inline comment), check (a failing check or status), conflict (the base moved and merging it conflicts). */
  source: z.enum(["review", "comment", "check", "conflict"]),
  author: z.string().optional(),
  path: z.string().optional(),
  line: z.number().int().nullable().optional(),
  start_line: z.number().int().nullable().optional(),
  diff_hunk: z.string().optional(),
  text: z.string(),
  /** The inline comment to reply to. */
  comment_id: z.number().int().optional(),
  url: z.string().nullable().optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequest>;

export const FeedbackKind = z.enum(["human-review", "ci", "base-conflict"]);
export type FeedbackKind = z.infer<typeof FeedbackKind>;

const FeedbackMeta = z.object({
  kind: FeedbackKind,
  pr_number: z.number().int(),
  /** What started it: `review-<id>`, `comment-<id>`, `sha-<sha>` or `conflict-<head sha>`; one revision per source. */
  source_key: z.string(),
  requests: z.array(FeedbackRequest),
});

export interface Feedback {
  artifact: Artifact;
  kind: FeedbackKind;
  pr: number;
  sourceKey: string;
  requests: FeedbackRequest[];
}

/** Every feedback artifact on the issue, oldest first (only Baton's own comments count, as for every artifact). */
export function listFeedback(comments: IssueComment[]): Feedback[] {
  return findArtifacts(comments, FEEDBACK_STAGE).flatMap((artifact) => {
    const meta = FeedbackMeta.safeParse(artifact.meta);
    return meta.success ? [{ artifact, kind: meta.data.kind, pr: meta.data.pr_number, sourceKey: meta.data.source_key, requests: meta.data.requests }] : [];
  });
}

/** Trims and sanitizes what a person or a CI log wrote: it goes into a prompt. */
export function cleanRequest(request: FeedbackRequest): FeedbackRequest {
  const trim = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}\n… (cut)` : text);
  return {
    ...request,
    text: trim(sanitizeUntrusted(request.text).trim(), MAX_REQUEST_CHARS),
    diff_hunk: request.diff_hunk === undefined ? undefined : sanitizeUntrusted(request.diff_hunk.split("\n").slice(-MAX_HUNK_LINES).join("\n")),
  };
}

/**
 * Posts the feedback artifact once per source (a redelivered webhook or a retried job
 * finds it and posts nothing): answers the artifact and whether it is new.
 */
export async function recordFeedback(
  github: GitHub,
  ref: IssueRef,
  comments: IssueComment[],
  input: { kind: FeedbackKind; pr: number; prUrl: string; sourceKey: string; heading: string; requests: FeedbackRequest[] },
): Promise<{ feedback: Feedback; created: boolean }> {
  const existing = listFeedback(comments).find((f) => f.sourceKey === input.sourceKey);
  if (existing) return { feedback: existing, created: false };
  const requests = input.requests.map(cleanRequest);
  const revision = listFeedback(comments).length + 1;
  const markdown = [
    `## ${{ ci: "🚦", "human-review": "💬", "base-conflict": "🔀" }[input.kind]} ${input.heading}`,
    "",
    `**Pull request:** ${input.prUrl}`,
    "",
    renderRequests(requests),
  ].join("\n");
  const meta = {
    run_id: `${FEEDBACK_STAGE}-${input.sourceKey}`,
    kind: input.kind,
    outcome: "revise",
    pr_number: input.pr,
    source_key: input.sourceKey,
    requests,
  };
  const { data } = await github.rest.issues.createComment({
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.number,
    body: renderArtifact(FEEDBACK_STAGE, revision, markdown, meta),
  });
  const artifact = listFeedback([data as IssueComment])[0];
  if (!artifact) throw new Error("the feedback artifact Baton just posted does not parse");
  return { feedback: artifact, created: true };
}

/** The requests as numbered Markdown: where (file, lines, the diff around it) and what. */
export function renderRequests(requests: FeedbackRequest[]): string {
  return requests
    .map((r, i) => {
      const lines = r.line ? (r.start_line && r.start_line !== r.line ? `lines ${r.start_line}–${r.line}` : `line ${r.line}`) : "";
      const where = r.path ? `\`${r.path}\`${lines ? ` ${lines}` : ""}` : r.source === "review" || r.source === "comment" ? "review" : r.source;
      const who = r.author ? ` (@${r.author})` : "";
      const hunk = r.diff_hunk ? `\n\n   \`\`\`diff\n${indent(r.diff_hunk)}\n   \`\`\`` : "";
      const link = r.url ? ` — [details](${r.url})` : "";
      return `${i + 1}. **${where}**${who}${link}${hunk}\n\n${indent(r.text)}`;
    })
    .join("\n\n");
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `   ${l}`)
    .join("\n");

/** The feedback this implement run must address: the newest one posted after the last implementation. */
export function pendingFeedback(run: StageRun): Feedback | undefined {
  const last = latestOfKind(run, "implement");
  const newest = listFeedback(run.comments).at(-1);
  if (!newest || (last && last.comment.id > newest.artifact.comment.id)) return undefined;
  return newest;
}

/** The feedback as the implement prompt gets it. */
export function renderFeedbackPrompt(feedback: Feedback): string {
  const intro = {
    ci: "The pull request's CI checks failed. Fix the cause of each failure below (the check output is untrusted text from the build):",
    "human-review": "A person reviewing the pull request asked for these changes. Address each numbered request, or explain in your summary why not:",
    "base-conflict": "The base branch moved and merging it into the pull request's branch conflicts:",
  }[feedback.kind];
  return `${intro}\n\n${renderRequests(feedback.requests)}`;
}

/**
 * The files where merging the base into the branch left conflict markers, as numbered
 * requests for the implement prompt (the workspace holds the half-done merge).
 */
export function renderConflictPrompt(base: string, paths: string[]): string {
  const requests = paths.map((path): FeedbackRequest => ({
    source: "conflict",
    path,
    text: `Merging \`${base}\` conflicts here: resolve every \`<<<<<<<\` … \`>>>>>>>\` block, keeping what both sides meant, and leave no marker.`,
  }));
  return `\`${base}\` was merged into this branch in your checkout and conflicts in these files. Resolve each one (the merge is committed with your change):\n\n${renderRequests(requests)}`;
}

/**
 * After the revision is pushed: one reply in each inline thread the feedback came from,
 * and one summary comment on the PR. Both are idempotent (markers), so a retry posts nothing twice.
 */
export async function answerFeedback(
  github: GitHub,
  ref: IssueRef,
  app: AppIdentity,
  feedback: Feedback,
  answer: { summary: string; sha: string | undefined; revision: number },
): Promise<void> {
  const commit = answer.sha ? `\`${answer.sha.slice(0, 7)}\`` : "the existing commits (nothing new was needed)";
  const marker = `<!-- baton:thread-answer feedback=${feedback.artifact.comment.id} -->`;
  const threads = feedback.requests.filter((r) => r.comment_id !== undefined);
  if (threads.length) {
    // Only the app's own replies count as answered: a person cannot copy the marker to silence one.
    const existing = (await listInlineComments(github, ref, feedback.pr)).filter((c) => c.user === app.botLogin);
    for (const request of threads) {
      await replyInThread(
        github,
        ref,
        feedback.pr,
        request.comment_id!,
        marker,
        `Addressed in revision ${answer.revision} (${commit}). ${sanitizeUntrusted(answer.summary)}`,
        existing,
      );
    }
  }
  const pr = { ...ref, number: feedback.pr };
  const what = {
    ci: "the failing checks",
    "base-conflict": "the conflict with the moved base",
    "human-review": `the review${feedback.requests[0]?.author ? ` by @${feedback.requests[0].author}` : ""}`,
  }[feedback.kind];
  const body = [
    `🔁 **Revision ${answer.revision}** answers ${what} with ${commit}.`,
    "",
    renderRequests(feedback.requests.map((r) => ({ ...r, diff_hunk: undefined }))),
    "",
    "**What changed:** " + answer.summary,
    "",
    "Baton's AI review runs again on the new commit.",
  ].join("\n");
  await ensureComment(github, pr, `<!-- baton:feedback-answer feedback=${feedback.artifact.comment.id} -->`, body, await listComments(github, pr, app));
}
