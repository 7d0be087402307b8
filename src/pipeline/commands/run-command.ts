import type { Pipeline, Stage } from "../../config/resolve-pipeline.js";
import type { AppIdentity } from "../../github/app-identity.js";
import { ensureComment } from "../../github/ensure-comment.js";
import { addLabels, removeLabel, swapLabel } from "../../github/labels.js";
import { listComments } from "../../github/list-comments.js";
import { hasAtLeast, readRole } from "../../github/permissions.js";
import { readStatus } from "../../github/status-comment.js";
import type { GitHub, IssueRef } from "../../github/types.js";
import { keys, type Runtime } from "../../runtime.js";
import { stageRunId } from "../job-data.js";
import { loadPipeline, renderConfigError } from "../load-pipeline.js";
import { stageQueue } from "../queues.js";
import { updateStatus } from "../../github/update-status.js";
import type { CommandName } from "./parse-command.js";
import { resolveCommandTarget, revise, setBase } from "./pull-commands.js";
import { isTrackingParent, retryPlan, stopPlan, type ParentContext } from "./plan-commands.js";

export interface CommandTask {
  issue: IssueRef;
  command: CommandName | "unknown";
  commenter: string;
  commentId: number;
}

interface CommandContext {
  rt: Runtime;
  github: GitHub;
  ref: IssueRef;
  pipeline: Pipeline;
  labels: string[];
  app: AppIdentity;
}

const HELP =
  "Commands: `/baton approve` (pass a gate), `/baton retry` (re-run the current stage), `/baton stop` (cancel the running stage), `/baton status`; on Baton's pull request also `/baton revise <what to change>`; `/baton base <branch>` (the branch Baton's PR targets).";

/**
 * A `/baton` command from a comment (docs/architecture.md §6).
 * 1. Check the commenter's role against `permissions.commands`; below it: a polite refusal, nothing else.
 * 2. Do the command through labels, as the bot, so the normal handoff path runs the stage.
 * 3. Answer in one reply comment per command comment (a retry edits it, never posts twice).
 */
export async function runCommand(rt: Runtime, task: CommandTask): Promise<string> {
  const where = task.issue;
  const github = await rt.auth(where.installationId);
  const app = await rt.appIdentity();
  const reply = async (text: string) => {
    await ensureComment(github, where, `<!-- baton:reply comment=${task.commentId} -->`, `@${task.commenter} ${text}`, await listComments(github, where, app));
    return text;
  };
  const config = await loadPipeline(rt, github, where);
  if (!config.ok) return reply(renderConfigError(config));
  const minimum = config.pipeline.config.permissions.commands;
  const role = await readRole(github, where, task.commenter);
  if (!hasAtLeast(role, minimum)) {
    return reply(`sorry, \`/baton ${task.command}\` needs at least **${minimum}** permission on this repository (yours: ${role}). Nothing was changed.`);
  }
  // A command on Baton's PR acts on its issue (pull-commands.ts).
  const { ref, pr } = await resolveCommandTarget(rt, github, where);
  const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
  const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  const ctx: CommandContext = { rt, github, ref, pipeline: config.pipeline, labels, app };
  switch (task.command) {
    case "approve":
      return reply(await approve(ctx));
    case "retry":
      return reply(await retry(ctx));
    case "stop":
      return reply(await stop(ctx));
    case "status":
      return reply(await status(ctx));
    case "base":
      return reply(await setBase(github, ref, config.pipeline, labels, where, task.commentId, pr));
    case "revise":
      return reply(await revise(rt, github, ref, config.pipeline, where, task.commentId, task.commenter, pr));
    default:
      return reply(`I did not understand that. ${HELP}`);
  }
}

/** Passes a gate: the waiting label gives way to the stage's pass label, which starts the next stage. */
async function approve({ github, ref, pipeline, labels }: CommandContext): Promise<string> {
  const stage = pipeline.stages.find((s) => s.gate && s.next.gate && labels.includes(s.next.gate));
  if (!stage) return "nothing on this issue is waiting for approval.";
  const pass = stage.next.pass;
  if (!pass) return `the ${stage.name} stage has no \`next.pass\` label to continue with.`;
  await swapLabel(github, ref, stage.next.gate!, pass);
  return `approved: the **${stage.name}** stage's result goes on with \`${pass}\`.`;
}

/** The stage a retry or stop is about: the one whose claim is on, else the one that blocked or stopped. */
function currentStage(
  { pipeline, labels }: CommandContext,
  comments: Awaited<ReturnType<typeof listComments>>,
): { stage: Stage; claimed: boolean } | undefined {
  const claimed = pipeline.stages.find((s) => labels.includes(s.claim));
  if (claimed) return { stage: claimed, claimed: true };
  const { data } = readStatus(comments);
  const halted = [...pipeline.stages].reverse().find((s) => ["blocked", "stopped", "retrying"].includes(data.rows[s.name]?.state ?? ""));
  if (halted) return { stage: halted, claimed: false };
  const needsInfo = pipeline.stages.find((s) => s.next["needs-info"] && labels.includes(s.next["needs-info"]));
  return needsInfo ? { stage: needsInfo, claimed: false } : undefined;
}

async function liveJobId(ctx: CommandContext, stage: Stage): Promise<string | undefined> {
  const transition = Number(await ctx.rt.redis.get(keys.transitions(ctx.rt, ctx.ref.repoId, ctx.ref.number))) || 0;
  if (!transition) return undefined;
  const runId = stageRunId(ctx.ref, stage.name, transition);
  const job = await stageQueue(ctx.rt.queues, stage.kind).getJob(runId);
  return job && ["active", "waiting", "delayed", "prioritized"].includes(await job.getState()) ? runId : undefined;
}

/** Re-runs the current stage by putting its input label back (as the bot: the normal path claims it). */
async function retry(ctx: CommandContext): Promise<string> {
  const { github, ref, pipeline, labels, rt } = ctx;
  if (isTrackingParent(pipeline, labels) && !pipeline.stages.some((s) => labels.includes(s.claim))) return retryPlan(parentContext(ctx));
  const current = currentStage(ctx, await listComments(github, ref, ctx.app));
  if (!current) return "there is no blocked or stopped stage to retry.";
  const { stage, claimed } = current;
  if (claimed && (await liveJobId(ctx, stage))) return `the **${stage.name}** stage is running right now; comment \`/baton stop\` first to restart it.`;
  // A person chose to go on: the loop budget starts again from here (the counter itself
  // keeps counting, so job ids stay unique).
  const counted = Number(await rt.redis.get(keys.transitions(rt, ref.repoId, ref.number))) || 0;
  await rt.redis.set(keys.budgetBase(rt, ref.repoId, ref.number), String(counted), "EX", 90 * 24 * 3600);
  for (const label of [pipeline.config.labels.blocked, stage.claim, stage.next["needs-info"]]) {
    if (label && labels.includes(label)) await removeLabel(github, ref, label);
  }
  await addLabels(github, ref, [stage.on]);
  return `retrying the **${stage.name}** stage (\`${stage.on}\`).`;
}

/** Cancels the running stage wherever its worker is, and takes the claim off. */
async function stop(ctx: CommandContext): Promise<string> {
  const { github, ref, pipeline, labels, rt } = ctx;
  const stage = pipeline.stages.find((s) => labels.includes(s.claim));
  if (!stage && isTrackingParent(pipeline, labels)) return stopPlan(parentContext(ctx));
  if (!stage) return "no stage is running on this issue.";
  const runId = await liveJobId(ctx, stage);
  if (runId) {
    await rt.redis.set(keys.stopped(rt, runId), "1", "EX", 24 * 3600);
    await rt.redis.publish(keys.cancelChannel(rt), runId);
  }
  await removeLabel(github, ref, stage.claim);
  await updateStatus(
    github,
    ref,
    pipeline,
    await listComments(github, ref, ctx.app),
    stage.name,
    { state: "stopped", note: "stopped by /baton stop" },
    "stopped",
  );
  return `stopped the **${stage.name}** stage. Comment \`/baton retry\` or apply \`${stage.on}\` to run it again.`;
}

/** A plan's parent: its commands act on its sub-issues. */
function parentContext(ctx: CommandContext): ParentContext {
  const stopChild = async (child: IssueRef) => {
    const { data } = await ctx.github.rest.issues.get({ owner: child.owner, repo: child.repo, issue_number: child.number });
    const labels = data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    if (!ctx.pipeline.stages.some((s) => labels.includes(s.claim))) return false;
    await stop({ ...ctx, ref: child, labels });
    return true;
  };
  return { ...ctx, stopChild };
}

async function status({ github, ref, pipeline, labels, app }: CommandContext): Promise<string> {
  const comments = await listComments(github, ref, app);
  const statusLabel = labels.find(
    (l) =>
      pipeline.stages.some((s) => [s.on, s.claim, ...Object.values(s.next)].includes(l)) ||
      l === pipeline.config.labels.blocked ||
      l === pipeline.config.labels.done,
  );
  const { comment, data } = readStatus(comments);
  const last = [...pipeline.stages].reverse().find((s) => data.rows[s.name]);
  if (last) await updateStatus(github, ref, pipeline, comments, last.name, { state: data.rows[last.name]!.state }, statusLabel ?? "no status label");
  return `this issue is at \`${statusLabel ?? "no status label"}\`.${comment ? ` Details: ${comment.html_url}` : " Baton has not worked on it yet."} ${HELP}`;
}
