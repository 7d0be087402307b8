import { z } from "zod";
import type { Runtime } from "../runtime.js";
import type { Acceptance } from "./accept-delivery.js";
import { jobOptions } from "./job-options.js";
import type { PullEventTask } from "./process-pull-event.js";

/**
 * The webhook path of Baton's pull requests (docs/architecture.md: no GitHub call here):
 * reviews and review comments by people, check and status results, and a PR closed without
 * a merge, on a branch `baton/issue-<n>` of the same repository, become one repo task each.
 * Who wrote it, whether the PR really is Baton's and what to do is decided by the worker.
 * Answers undefined for events that are not about Baton's pull requests.
 */

const BRANCH = /^baton\/issue-(\d+)$/;
const Repo = z.object({ id: z.number().int(), name: z.string(), owner: z.object({ login: z.string() }) });
const Installation = z.object({ installation: z.object({ id: z.number().int() }), repository: Repo });
const Person = z.object({ login: z.string(), type: z.string() });
const PullHead = z.object({ number: z.number().int(), head: z.object({ ref: z.string(), repo: z.object({ id: z.number().int() }).nullable().optional() }) });

const ReviewPayload = Installation.extend({ action: z.literal("submitted"), review: z.object({ id: z.number().int(), user: Person }), pull_request: PullHead });
const ReviewCommentPayload = Installation.extend({
  action: z.literal("created"),
  comment: z.object({ id: z.number().int(), body: z.string(), user: Person, in_reply_to_id: z.number().int().optional() }),
  pull_request: PullHead,
});
const CheckPullRequests = z
  .array(z.object({ number: z.number().int(), head: z.object({ ref: z.string(), repo: z.object({ id: z.number().int() }).optional() }) }))
  .default([]);
const CheckRunPayload = Installation.extend({
  action: z.literal("completed"),
  check_run: z.object({ head_sha: z.string(), pull_requests: CheckPullRequests }),
});
const CheckSuitePayload = Installation.extend({
  action: z.literal("completed"),
  check_suite: z.object({ head_sha: z.string(), pull_requests: CheckPullRequests }),
});
const StatusPayload = Installation.extend({ sha: z.string(), state: z.string(), branches: z.array(z.object({ name: z.string() })).default([]) });
const ClosedPayload = Installation.extend({
  action: z.enum(["closed", "reopened"]),
  pull_request: PullHead.extend({ merged: z.boolean().nullable().optional() }),
});

type Target = { issue: number; pr?: number; installation: number; repository: z.infer<typeof Repo> };

export async function acceptPullEvent(rt: Runtime, delivery: { id: string; name: string; payload: unknown }): Promise<Acceptance | undefined> {
  const found = readPullEvent(delivery.name, delivery.payload);
  if (found === undefined) return undefined;
  if (!found) return "ignored";
  const { target, event } = found;
  const issue = {
    installationId: target.installation,
    repoId: target.repository.id,
    owner: target.repository.owner.login,
    repo: target.repository.name,
    number: target.issue,
  };
  const task: PullEventTask = { task: "pull-event", issue, event };
  await rt.queues.repo.add("pull-event", task, {
    jobId: `d-${delivery.id}`,
    ...jobOptions.pullEvent(rt),
  });
  return "queued";
}

/** undefined: not an event this module handles; null: handled, nothing to do. */
function readPullEvent(name: string, raw: unknown): { target: Target; event: PullEventTask["event"] } | null | undefined {
  const ofPull = (p: z.infer<typeof Installation>, pull: z.infer<typeof PullHead>): Target | null => {
    const issue = Number(BRANCH.exec(pull.head.ref)?.[1]);
    const sameRepo = !pull.head.repo || pull.head.repo.id === p.repository.id;
    return issue > 0 && sameRepo ? { issue, pr: pull.number, installation: p.installation.id, repository: p.repository } : null;
  };
  switch (name) {
    case "pull_request_review": {
      const p = ReviewPayload.safeParse(raw).data;
      if (!p || p.review.user.type === "Bot") return null;
      const target = ofPull(p, p.pull_request);
      return target && { target, event: { kind: "review", pr: p.pull_request.number, reviewId: p.review.id } };
    }
    case "pull_request_review_comment": {
      const p = ReviewCommentPayload.safeParse(raw).data;
      if (!p || p.comment.user.type === "Bot") return null;
      const target = ofPull(p, p.pull_request);
      return target && { target, event: { kind: "review-comment", pr: p.pull_request.number, commentId: p.comment.id } };
    }
    case "check_run":
    case "check_suite": {
      // The sender may be Baton's own bot (Actions runs as the pusher): never dropped for that.
      const p = name === "check_run" ? CheckRunPayload.safeParse(raw).data : CheckSuitePayload.safeParse(raw).data;
      if (!p) return null;
      const body = "check_run" in p ? p.check_run : p.check_suite;
      const pull = body.pull_requests.find((pr) => BRANCH.test(pr.head.ref));
      const target = pull && ofPull(p, { number: pull.number, head: { ref: pull.head.ref, repo: pull.head.repo } });
      return target ? { target, event: { kind: "checks", sha: body.head_sha } } : null;
    }
    case "status": {
      const p = StatusPayload.safeParse(raw).data;
      if (!p || p.state === "pending") return null;
      const branch = p.branches.find((b) => BRANCH.test(b.name));
      const issue = Number(branch && BRANCH.exec(branch.name)?.[1]);
      return issue > 0 ? { target: { issue, installation: p.installation.id, repository: p.repository }, event: { kind: "checks", sha: p.sha } } : null;
    }
    case "pull_request": {
      const p = ClosedPayload.safeParse(raw).data;
      if (!p) return undefined;
      if (p.action === "closed" && p.pull_request.merged) return undefined; // merged: lessons (accept-delivery)
      const target = ofPull(p, p.pull_request);
      return target && { target, event: { kind: p.action, pr: p.pull_request.number } };
    }
    default:
      return undefined;
  }
}
