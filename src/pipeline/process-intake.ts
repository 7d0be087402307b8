import type { Job } from "bullmq";
import { createHash } from "node:crypto";
import { DEFAULT_STAGES } from "../config/defaults.js";
import type { Pipeline, Stage } from "../config/resolve-pipeline.js";
import { ensureComment } from "../github/ensure-comment.js";
import { ensureRepoLabels, describePipelineLabels } from "../github/ensure-repo-labels.js";
import { listComments } from "../github/list-comments.js";
import { checkLabelSender } from "./check-label-sender.js";
import { updateStatus } from "../github/update-status.js";
import { readStatus } from "../github/status-comment.js";
import { formatIssue, type GitHub, type IssueRef } from "../github/types.js";
import { keys, type Runtime } from "../runtime.js";
import { blockIssue } from "./block-issue.js";
import { stageRunId, type IntakeJob, type StageJob } from "./job-data.js";
import { loadPipeline, renderConfigError } from "./load-pipeline.js";
import { stageQueue } from "./queues.js";
import { waitingLabels } from "./waiting-labels.js";
import { parkLabel } from "./enqueue-waiting-labels.js";
import { isHeld } from "./hold-issue.js";
import { jobOptions } from "./job-options.js";
import { withIssueLock } from "./with-issue-lock.js";
import { noteBatonComments } from "./quiet-issue.js";
import { forgetRemovedByPeople, noteIntendedRemovals, writeLabels } from "./write-labels.js";

export type IntakeOutcome =
  | { action: "claimed"; stage: string; runId: string }
  | { action: "dropped"; reason: string }
  /** Another stage holds the issue: the label stays on and is taken after that stage hands off. */
  | { action: "waiting"; reason: string }
  | { action: "refused" | "invalid-config" | "blocked"; reason: string };

/** How long the transition counter of an issue lives after its last transition. */
const COUNTER_TTL_S = 90 * 24 * 3600;

/**
 * The intake worker: turns one accepted delivery into at most one claimed stage job.
 * 1. Load and validate the repository's pipeline (invalid: one comment, nothing claimed).
 * 2. Map the applied label to the stage that consumes it (none: drop).
 * 3. Check who applied the label (see check-label-sender.ts): other bots are ignored, a
 *    person below the permission it needs is refused.
 * 4. Under the per-issue lock: re-read the issue (closed or label gone: drop); while another
 *    stage holds it (a claim label, or a live job), leave the label waiting; else take a
 *    transition number within the loop budget, write the labels once (input off, claim on; write-labels.ts).
 * 5. Enqueue the stage job under its deterministic id (claim before dispatch, never after).
 */
export async function processIntake(rt: Runtime, job: Job<IntakeJob>): Promise<IntakeOutcome> {
  const data = job.data;
  const ref = data.issue;
  const log = rt.log.child({ issue: formatIssue(ref), label: data.label, delivery: data.deliveryId });
  const github = await rt.auth(ref.installationId);

  const config = await loadPipeline(rt, github, ref);
  if (!config.ok) {
    if (!isConsumedByDefault(data.label)) return { action: "dropped", reason: "label is not a pipeline label" };
    await ensureComment(github, ref, "<!-- baton:config-error -->", renderConfigError(config), await listComments(github, ref, await rt.appIdentity()));
    log.warn({ problems: config.problems }, "invalid config: nothing claimed");
    return { action: "invalid-config", reason: "invalid .github/baton.yml" };
  }
  const pipeline = config.pipeline;
  const stage = pipeline.stages.find((s) => s.on === data.label);
  if (!stage) return drop(log, "no stage consumes this label");
  if (stage.schedule && data.source === "webhook") return drop(log, "a scheduled stage: the reconciler sweeps its label");

  const refusal = await checkLabelSender(rt, github, ref, pipeline, stage, data);
  if (refusal) return refusal.action === "dropped" ? drop(log, refusal.reason) : refusal;
  if (await isHeld(rt, data)) return drop(log, "held there by `baton run --to`");

  let snapshot: StageJob["snapshot"];
  const claimed = await withIssueLock(rt, ref.repoId, ref.number, () => claim(rt, github, job, pipeline, stage, (s) => (snapshot = s)));
  if (claimed.action !== "claimed") {
    if (claimed.action === "dropped") log.debug({ reason: claimed.reason }, "intake dropped");
    return claimed;
  }
  const stageJob: StageJob = {
    issue: ref,
    stage: stage.name,
    kind: stage.kind,
    transition: job.data.transition ?? 0,
    runId: claimed.runId,
    concurrency: stage.concurrency,
    snapshot,
  };
  await stageQueue(rt.queues, stage.kind).add(stage.name, stageJob, {
    jobId: claimed.runId,
    ...jobOptions.stage(rt, stage.max_attempts),
  });
  await rt.events.emit({
    type: "dispatch_requested",
    run_id: claimed.runId,
    repo: `${ref.owner}/${ref.repo}`,
    issue: ref.number,
    stage: stage.name,
    label: data.label,
    source: data.source,
  });
  log.info({ stage: stage.name, runId: claimed.runId }, "claimed and dispatched");
  return claimed;
}

async function claim(
  rt: Runtime,
  github: GitHub,
  job: Job<IntakeJob>,
  pipeline: Pipeline,
  stage: Stage,
  keep: (snapshot: StageJob["snapshot"]) => void,
): Promise<IntakeOutcome> {
  const ref = job.data.issue;
  if (!job.data.claimed) {
    // This read is the freshest there is: what people took off before it is in it.
    await forgetRemovedByPeople(rt, ref);
    const readAt = Date.now();
    const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
    if (issue.state !== "open") return { action: "dropped", reason: "issue is closed" };
    const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    if (!labels.includes(stage.on)) return { action: "dropped", reason: "label is no longer on the issue" };
    const holder = await findHolder(rt, ref, pipeline, labels);
    if (holder) {
      await parkLabel(rt, job.data);
      await noteWaiting(rt, github, ref, pipeline, stage, holder);
      return { action: "waiting", reason: `the ${holder.name} stage holds the issue` };
    }
    const transition = job.data.transition ?? (await nextTransition(rt, ref));
    await job.updateData({ ...job.data, transition });
    const spent = transition - (Number(await rt.redis.get(keys.budgetBase(rt, ref.repoId, ref.number))) || 0);
    if (spent > pipeline.config.defaults.max_transitions) {
      await noteIntendedRemovals(rt, ref, [stage.on]);
      await blockIssue(github, ref, pipeline, {
        reason: `this issue went through ${spent - 1} transitions, over the budget of ${pipeline.config.defaults.max_transitions} (a loop guard).`,
        hint: `Look at the history above for a cycle; if the work should go on, comment \`/baton retry\` (the budget starts again), or raise \`defaults.max_transitions\` in .github/baton.yml.`,
        stage,
        fromLabel: stage.on,
        runId: stageRunId(ref, stage.name, transition),
        comments: await listComments(github, ref, await rt.appIdentity()),
      });
      return { action: "blocked", reason: "transition budget exhausted" };
    }
    await ensureLabelsOnce(rt, github, ref, pipeline);
    // One write from this read, under the lock: the input label off, the claim label on, and
    // (a person who starts a stage by hand moves the issue on from where it waited) any
    // waiting label off. The previous stage handed off in one write under this same lock
    // before this read, so nothing of it is still in flight.
    const waiting = waitingLabels(pipeline);
    const left = [...labels.filter((l) => l !== stage.on && !waiting.has(l)), stage.claim];
    await writeLabels(rt, github, ref, pipeline, { before: labels, after: left, readAt });
    await job.updateData({ ...job.data, transition, claimed: true });
    // What the stage would read first thing, handed over (labels as this claim left them).
    keep({
      read_at: readAt,
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      labels: left,
      author: issue.user?.login ?? "",
      html_url: issue.html_url,
      comments: issue.comments,
    });
  }
  return { action: "claimed", stage: stage.name, runId: stageRunId(ref, stage.name, job.data.transition ?? 0) };
}

/** Job states in which a stage job still holds its issue. */
const LIVE_STATES = new Set(["active", "waiting", "delayed", "prioritized", "waiting-children"]);

/**
 * The stage that holds the issue, if one does: its claim label is on, or the job of the
 * latest transition is live and has not handed off yet (one stage per issue at a time).
 */
async function findHolder(rt: Runtime, ref: IssueRef, pipeline: Pipeline, labels: string[]): Promise<Stage | undefined> {
  const transition = Number(await rt.redis.get(keys.transitions(rt, ref.repoId, ref.number))) || 0;
  const latest = async (s: Stage) => (transition ? await stageQueue(rt.queues, s.kind).getJob(stageRunId(ref, s.name, transition)) : undefined);
  const claimed = pipeline.stages.find((s) => labels.includes(s.claim));
  // The handoff takes the claim off in the same write that puts the next label on: a claim
  // label still on is a stage that holds the issue (or a handoff a crash cut short, which
  // its retry finishes).
  if (claimed) return claimed;
  for (const s of pipeline.stages) {
    const job = await latest(s);
    if (job && !job.data.handedOff && LIVE_STATES.has(await job.getState())) return s;
  }
  return undefined;
}

/** Says in the status comment that `stage` waits for `holder` (once: an unchanged row is not rewritten). */
async function noteWaiting(rt: Runtime, github: GitHub, ref: IssueRef, pipeline: Pipeline, stage: Stage, holder: Stage): Promise<void> {
  const comments = await listComments(github, ref, await rt.appIdentity());
  const note = `waits for the ${holder.name} stage to hand off`;
  const row = readStatus(comments).data.rows[stage.name];
  if (row?.state === "queued" && row.note === note) return;
  await noteBatonComments(rt, ref);
  await updateStatus(github, ref, pipeline, comments, stage.name, { state: "queued", note }, holder.claim);
}

/** The per-issue transition counter; resetting it by hand (DEL) restarts the budget. */
async function nextTransition(rt: Runtime, ref: IssueRef): Promise<number> {
  const key = keys.transitions(rt, ref.repoId, ref.number);
  const [[, n]] = (await rt.redis.multi().incr(key).expire(key, COUNTER_TTL_S).exec()) as [[null, number], unknown];
  return n;
}

/** Creates the pipeline's labels in a repository the first time a pipeline (by its labels) is used there. */
async function ensureLabelsOnce(rt: Runtime, github: GitHub, ref: IssueRef, pipeline: Pipeline): Promise<void> {
  const names = describePipelineLabels(pipeline)
    .map((l) => l.name)
    .join("\n");
  const key = keys.labelsReady(rt, ref.repoId, createHash("sha1").update(names).digest("hex").slice(0, 12));
  // The first claim in a repository takes the key and creates the labels; claims racing it
  // go on (adding a label to an issue creates it when missing). A failure lets the next try.
  if ((await rt.redis.set(key, "1", "EX", 24 * 3600, "NX")) !== "OK") return;
  await ensureRepoLabels(github, ref, pipeline).catch(async (error: unknown) => {
    await rt.redis.del(key);
    throw error;
  });
}

function drop(log: Runtime["log"], reason: string): IntakeOutcome {
  log.debug({ reason }, "intake dropped");
  return { action: "dropped", reason };
}

/** With an invalid file Baton cannot know the labels: comment only on the default pipeline's input labels. */
function isConsumedByDefault(label: string): boolean {
  return Object.values(DEFAULT_STAGES).some((stage) => stage.on === label);
}
