import { z } from "zod";
import type { Runtime } from "../runtime.js";
import { issueOfPull } from "../stages/lessons.js";
import { isTaskBody } from "../stages/plan/find-children.js";
import { parseCommand } from "./commands/parse-command.js";
import { acceptPullEvent } from "./accept-pull-event.js";
import { enqueueIntake } from "./enqueue-intake.js";
import { jobOptions } from "./job-options.js";
import { forgetConfig, CONFIG_PATH } from "./load-pipeline.js";
import { acceptUnlabeled } from "./restore-clobbered-label.js";
import { takeQuietAdd } from "./write-labels.js";

/** The part of an issues webhook payload intake needs; anything else is ignored. */
const IssuesPayload = z.object({
  action: z.string(),
  label: z.object({ name: z.string() }).optional(),
  issue: z.object({
    number: z.number().int(),
    body: z.string().nullish(),
    pull_request: z.unknown().optional(),
    labels: z.array(z.object({ name: z.string() })).default([]),
  }),
  repository: z.object({ id: z.number().int(), name: z.string(), owner: z.object({ login: z.string() }) }),
  installation: z.object({ id: z.number().int() }),
  sender: z.object({ login: z.string(), type: z.string() }),
});

const RepoPayload = z.object({ id: z.number().int(), name: z.string(), owner: z.object({ login: z.string() }) });

const PushPayload = z.object({
  after: z.string(),
  deleted: z.boolean().default(false),
  repository: RepoPayload,
  installation: z.object({ id: z.number().int() }),
  commits: z
    .array(z.object({ added: z.array(z.string()).default([]), modified: z.array(z.string()).default([]), removed: z.array(z.string()).default([]) }))
    .default([]),
});

export type Acceptance = "queued" | "duplicate" | "ignored";

/**
 * The whole of Baton's request path: validate the payload's shape, drop repeats of a
 * delivery id, enqueue one intake job per label to act on, return. Redis only; no GitHub
 * call and no config load, so GitHub gets its answer in milliseconds.
 */
export async function acceptDelivery(rt: Runtime, delivery: { id: string; name: string; payload: unknown }): Promise<Acceptance> {
  if (delivery.name === "push") return acceptPush(rt, delivery.id, delivery.payload);
  if (delivery.name === "installation" || delivery.name === "installation_repositories") return acceptInstallation(rt, delivery.id, delivery.payload);
  if (delivery.name === "issue_comment") return acceptComment(rt, delivery.id, delivery.payload);
  const onBatonPull = await acceptPullEvent(rt, delivery); // reviews, checks, closed PRs (accept-pull-event.ts)
  if (onBatonPull) return onBatonPull;
  if (delivery.name === "pull_request") return acceptMergedPull(rt, delivery.id, delivery.payload);
  if (delivery.name !== "issues") return "ignored";
  const parsed = IssuesPayload.safeParse(delivery.payload);
  if (!parsed.success || parsed.data.issue.pull_request) return "ignored";
  const payload = parsed.data;
  if (isPlanTaskChange(payload)) await acceptPlanTaskChange(rt, delivery.id, payload);
  if (payload.action === "unlabeled") return acceptUnlabeled(rt, delivery.id, payload, jobOptions.repoTask(rt));
  const labels =
    payload.action === "labeled" && payload.label ? [payload.label.name] : payload.action === "opened" ? payload.issue.labels.map((l) => l.name) : [];
  if (labels.length === 0) return "ignored";

  const issue = {
    installationId: payload.installation.id,
    repoId: payload.repository.id,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    number: payload.issue.number,
  };
  // Baton's claim labels and classifications start nothing (write-labels.ts): no intake job for them.
  if (payload.action === "labeled" && payload.sender.type === "Bot" && (await takeQuietAdd(rt, issue, labels[0]!))) return "ignored";
  // One round trip decides and enqueues: the first copy of a delivery id adds its jobs,
  // repeats find the dedupe key. Nothing is written when the add fails, so GitHub's
  // redelivery (an error answer asks for one) gets in.
  const added = await enqueueIntake(
    rt,
    labels.map((label, i) => ({
      dedupeId: `d-${delivery.id}-${i}`,
      data: { deliveryId: delivery.id, source: "webhook" as const, issue, label, sender: payload.sender },
    })),
  );
  return added > 0 ? "queued" : "duplicate";
}

/** A push that touches the config file clears the cached config and queues a check run. */
async function acceptPush(rt: Runtime, deliveryId: string, raw: unknown): Promise<Acceptance> {
  const parsed = PushPayload.safeParse(raw);
  if (!parsed.success || parsed.data.deleted) return "ignored";
  const { repository, installation, after, commits } = parsed.data;
  const touched = commits.some((c) => [...c.added, ...c.modified, ...c.removed].includes(CONFIG_PATH));
  if (!touched) return "ignored";
  await forgetConfig(rt, repository.id);
  const repo = { installationId: installation.id, repoId: repository.id, owner: repository.owner.login, repo: repository.name };
  await rt.queues.repo.add("check-config", { task: "check-config", repo, sha: after }, { jobId: `d-${deliveryId}`, ...jobOptions.repoTask(rt) });
  return "queued";
}

const InstallationPayload = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int(), account: z.object({ login: z.string() }) }),
  repositories: z.array(z.object({ id: z.number().int(), name: z.string() })).optional(),
  repositories_added: z.array(z.object({ id: z.number().int(), name: z.string() })).optional(),
});

/** A new installation (or repositories added to one): create the pipeline's labels there. */
async function acceptInstallation(rt: Runtime, deliveryId: string, raw: unknown): Promise<Acceptance> {
  const parsed = InstallationPayload.safeParse(raw);
  if (!parsed.success || !["created", "added"].includes(parsed.data.action)) return "ignored";
  const { installation } = parsed.data;
  const repos = parsed.data.repositories ?? parsed.data.repositories_added ?? [];
  await rt.queues.repo.addBulk(
    repos.map((r) => ({
      name: "bootstrap-labels",
      data: { task: "bootstrap-labels" as const, repo: { installationId: installation.id, repoId: r.id, owner: installation.account.login, repo: r.name } },
      opts: { jobId: `d-${deliveryId}-${r.id}`, ...jobOptions.repoTask(rt) },
    })),
  );
  return repos.length ? "queued" : "ignored";
}

const CommentPayload = z.object({
  action: z.literal("created"),
  comment: z.object({ id: z.number().int(), body: z.string(), user: z.object({ login: z.string(), type: z.string() }) }),
  issue: z.object({ number: z.number().int() }),
  repository: RepoPayload,
  installation: z.object({ id: z.number().int() }),
});

/** A `/baton` command in a new comment by a person (bots, Baton included, are ignored). */
async function acceptComment(rt: Runtime, deliveryId: string, raw: unknown): Promise<Acceptance> {
  const parsed = CommentPayload.safeParse(raw);
  if (!parsed.success || parsed.data.comment.user.type === "Bot") return "ignored";
  const { comment, issue, repository, installation } = parsed.data;
  const command = parseCommand(comment.body);
  if (!command) return "ignored";
  const ref = { installationId: installation.id, repoId: repository.id, owner: repository.owner.login, repo: repository.name, number: issue.number };
  await rt.queues.repo.add(
    "command",
    { task: "command", issue: ref, command, commenter: comment.user.login, commentId: comment.id },
    { jobId: `d-${deliveryId}`, ...jobOptions.repoTask(rt) },
  );
  return "queued";
}

const PullClosedPayload = z.object({
  action: z.literal("closed"),
  pull_request: z.object({
    number: z.number().int(),
    merged: z.boolean().nullable().optional(),
    body: z.string().nullable().optional(),
    // The head repository tells a fork's PR (never Baton's) from Baton's own; null for a deleted fork.
    head: z.object({ ref: z.string(), repo: z.object({ id: z.number().int() }).nullable().optional() }),
    base: z.object({ repo: z.object({ id: z.number().int() }) }),
  }),
  repository: RepoPayload,
  installation: z.object({ id: z.number().int() }),
});

/** A merged Baton PR: lessons for its issue. */
async function acceptMergedPull(rt: Runtime, deliveryId: string, raw: unknown): Promise<Acceptance> {
  const parsed = PullClosedPayload.safeParse(raw);
  if (!parsed.success || !parsed.data.pull_request.merged) return "ignored";
  const { pull_request: pull, repository, installation } = parsed.data;
  const issue = issueOfPull(pull);
  if (!issue) return "ignored";
  const ref = { installationId: installation.id, repoId: repository.id, owner: repository.owner.login, repo: repository.name, number: issue };
  await rt.queues.repo.add("lessons", { task: "lessons", issue: ref, pr: pull.number }, { jobId: `d-${deliveryId}`, ...jobOptions.repoTask(rt) });
  return "queued";
}

/** A sub-issue Baton made for a plan (its body carries the task marker) was labelled or closed. */
const isPlanTaskChange = (payload: z.infer<typeof IssuesPayload>) => ["labeled", "closed"].includes(payload.action) && isTaskBody(payload.issue.body);

/** The parent is brought up to date off the request path; the job id keeps a redelivery to one job. */
async function acceptPlanTaskChange(rt: Runtime, deliveryId: string, payload: z.infer<typeof IssuesPayload>): Promise<void> {
  const { repository, installation, issue } = payload;
  const ref = { installationId: installation.id, repoId: repository.id, owner: repository.owner.login, repo: repository.name, number: issue.number };
  await rt.queues.repo.add("track-plan", { task: "track-plan", issue: ref }, { jobId: `d-${deliveryId}-track`, ...jobOptions.repoTask(rt) });
}
