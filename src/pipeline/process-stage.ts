import type { Job } from "bullmq";
import { parseConfig } from "../config/parse-config.js";
import type { Pipeline, Stage } from "../config/resolve-pipeline.js";
import { describeError, isPermanent, PermanentError, StageWait } from "../errors.js";
import { ensureComment } from "../github/ensure-comment.js";
import type { AppIdentity } from "../github/app-identity.js";
import { listComments, readComments } from "../github/list-comments.js";
import { formatIssue, type GitHub, type IssueComment, type IssueRef } from "../github/types.js";
import type { EventFields } from "../observe/events.js";
import { recordAgentUsage } from "../observe/metrics.js";
import { keys, type Runtime } from "../runtime.js";
import { stageHandler } from "../stages/index.js";
import type { IssueSnapshot, StageResult, StageRun } from "../stages/types.js";
import { noteWithKnowledge } from "../knowledge/note-with-knowledge.js";
import { blockIssue } from "./block-issue.js";
import { delayForChecks } from "./checks-waiters.js";
import type { StageJob } from "./job-data.js";
import { loadPipeline } from "./load-pipeline.js";
import { updateStatus } from "../github/update-status.js";
import { enqueueWaitingLabels } from "./enqueue-waiting-labels.js";
import { noteLookalikes } from "./note-lookalikes.js";
import { batchOutput } from "./batch-output.js";
import { withIssueLock } from "./with-issue-lock.js";
import { batonCommented } from "./quiet-issue.js";
import { removedByPeople, writeLabels } from "./write-labels.js";

export type StageJobOutcome =
  { action: "handed-off"; outcome: string; label: string } | { action: "blocked"; reason: string } | { action: "dropped"; reason: string };

/**
 * The stage worker: runs one claimed stage on one issue and hands the baton on.
 * 1. Load the pipeline and the stage; read the issue fresh (closed, or claim gone: drop).
 * 2. Read Baton's own comments (look-alikes by others get one note). The stage is not
 *    marked running in the status comment: its claim label says so, and the status comment
 *    is written once per transition, with the result (GitHub's write limits are per
 *    installation; docs/architecture.md §9).
 * 3. Run the stage's handler (it reuses what an earlier attempt of this job posted).
 * 4. Record the result in the status comment, then replace the claim label with the next
 *    label in one write (last: the handoff is what starts the next stage).
 * 5. Give any input label that waited while this stage held the issue its intake now
 *    (one stage per issue at a time; see enqueue-waiting-labels.ts).
 * A permanent error, or a transient one on the last attempt, blocks the issue; any other
 * error is rethrown for BullMQ to retry with backoff.
 */
export async function processStage(rt: Runtime, job: Job<StageJob>, signal?: AbortSignal, token?: string): Promise<StageJobOutcome> {
  const { issue: ref, runId } = job.data;
  const log = rt.log.child({ issue: formatIssue(ref), stage: job.data.stage, runId, attempt: job.attemptsMade + 1 });
  const event = (fields: Omit<EventFields, "repo" | "issue" | "run_id" | "stage">) =>
    rt.events.emit({ ...fields, run_id: runId, repo: `${ref.owner}/${ref.repo}`, issue: ref.number, stage: job.data.stage } as EventFields);
  const github = await rt.auth(ref.installationId);
  let pipeline: Pipeline | undefined;
  let stage: Stage | undefined;
  let comments: IssueComment[] = [];
  try {
    pipeline = await requirePipeline(rt, github, ref);
    stage = pipeline.stages.find((s) => s.name === job.data.stage);
    if (!stage) throw new PermanentError(`the stage "${job.data.stage}" is no longer in .github/baton.yml.`);
    const handler = stageHandler(stage.kind);
    if (!handler) throw new PermanentError(`this Baton version cannot run stages of kind "${stage.kind}" yet.`);

    if (job.data.handedOff) {
      // The handoff began: finish its write if it did not land (the claim label is still on).
      const issue = await readIssue(github, ref);
      if (issue.labels.includes(stage.claim)) await handOff(rt, job, github, pipeline, issue, stage.claim, job.data.handOffLabels ?? [job.data.handedOff]);
      await enqueueWaitingLabels(rt, ref, runId);
      return { action: "handed-off", outcome: "resumed", label: job.data.handedOff };
    }
    if (await rt.redis.exists(keys.stopped(rt, runId))) return { action: "dropped", reason: "stopped by /baton stop" };
    const issue = freshSnapshot(job) ?? (await readIssue(github, ref));
    if (issue.state !== "open") return { action: "dropped", reason: "issue is closed" };
    // A person who took the claim label off since the claim's read cancelled the run.
    if (!issue.labels.includes(stage.claim) || (await removedByPeople(rt, ref)).has(stage.claim.toLowerCase()))
      return { action: "dropped", reason: `claim label ${stage.claim} was removed` };
    await event({ type: "worker_started", attempt: job.attemptsMade + 1 });

    // An issue without a comment at the claim's read has nothing of Baton's to read back.
    const unread = issue.comments === 0 && !(await batonCommented(rt, ref));
    comments = unread ? [] : await noteLookalikes(github, ref, await readComments(github, ref, await rt.appIdentity()));
    const startedAt = Date.now();

    const output = batchOutput((text) => void event({ type: "agent_output", text }));
    let result: StageResult;
    const run: StageRun = {
      rt,
      github,
      ref,
      issue,
      comments,
      pipeline,
      stage,
      runId,
      signal: signal ?? new AbortController().signal,
      waitingSince: job.data.waitingSince,
      log,
      onOutput: output.push,
      onAgentEvent: (e) => void event(e),
    };
    try {
      result = await handler(run);
    } finally {
      output.flush();
    }
    // Stopped while the agent worked: hand nothing on (the stop already took the claim off).
    signal?.throwIfAborted();
    const label = nextLabel(stage, result.outcome);
    const waiting = stage.gate && result.outcome === "pass";
    // Baton noted a waiting label meanwhile: its status comment is there to be updated, not added.
    if (unread && (await batonCommented(rt, ref))) comments = (await readComments(github, ref, await rt.appIdentity())).own;
    comments = await updateStatus(
      github,
      ref,
      pipeline,
      comments,
      stage.name,
      {
        state: waiting ? "waiting" : "passed",
        outcome: result.outcome,
        duration_ms: Date.now() - startedAt,
        backend: result.backend,
        model: result.model,
        input_tokens: result.usage?.input_tokens,
        output_tokens: result.usage?.output_tokens,
        cost_usd: result.usage?.cost_usd,
        artifact_url: result.artifactUrl,
        pr_url: result.prUrl,
        revision: result.revision,
        note: noteWithKnowledge(result.note, run.seen),
      },
      label,
      result.appendix,
    );
    if (waiting) await postGateComment(github, ref, stage, label, runId, comments);
    await handOff(rt, job, github, pipeline, issue, stage.claim, [label, ...(result.labels ?? [])]);
    await enqueueWaitingLabels(rt, ref, runId);
    await event({ type: "status_changed", from: stage.claim, to: label, outcome: result.outcome });
    await event({ type: "dispatch_completed", outcome: result.outcome, duration_ms: Date.now() - startedAt });
    recordStageMetrics(rt, stage.name, result, Date.now() - startedAt);
    log.info({ outcome: result.outcome, label }, "stage handed off");
    return { action: "handed-off", outcome: result.outcome, label };
  } catch (error) {
    // Waiting for a PR's checks holds no worker: the job comes back when woken or at `until`.
    if (error instanceof StageWait) return delayForChecks(rt, job, error, token);
    if (signal?.aborted) {
      // `/baton stop` took the claim off and said so; nothing to retry or block.
      await event({ type: "dispatch_failed", error: "stopped", final: true, attempt: job.attemptsMade + 1 });
      return { action: "dropped", reason: "stopped" };
    }
    const attempts = job.opts.attempts ?? 1;
    const final = isPermanent(error) || job.attemptsMade + 1 >= attempts;
    await event({ type: "dispatch_failed", error: describeError(error), final, attempt: job.attemptsMade + 1 });
    if (!final) {
      log.warn({ err: error }, "stage failed; will retry");
      if (pipeline && stage) await noteRetry(github, await rt.appIdentity(), ref, pipeline, stage, comments, error, log);
      throw error;
    }
    log.error({ err: error }, "stage blocked");
    const blockPipeline = pipeline ?? defaultPipeline();
    const claim = stage?.claim ?? job.data.stage;
    await blockIssue(github, ref, blockPipeline, {
      reason: isPermanent(error) ? describeError(error) : `it failed ${attempts} times; the last error was: ${describeError(error)}`,
      hint: isPermanent(error) ? error.hint : undefined,
      stage,
      fromLabel: claim,
      runId,
      comments: comments.length ? comments : await listComments(github, ref, await rt.appIdentity()),
    });
    return { action: "blocked", reason: describeError(error) };
  }
}

function recordStageMetrics({ metrics }: Runtime, stage: string, result: StageResult, durationMs: number): void {
  metrics.stageSeconds.observe({ stage, outcome: result.outcome }, durationMs / 1000);
  if (result.usage) recordAgentUsage(metrics, result, result.usage);
}

async function requirePipeline(rt: Runtime, github: GitHub, ref: IssueRef): Promise<Pipeline> {
  const config = await loadPipeline(rt, github, ref);
  if (!config.ok) {
    throw new PermanentError(
      `.github/baton.yml became invalid while the stage was queued: ${config.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
      {
        hint: "Fix the file (`npx baton validate`), then comment `/baton retry`.",
      },
    );
  }
  return config.pipeline;
}

function defaultPipeline(): Pipeline {
  const result = parseConfig(undefined, {});
  if (!result.ok) throw new Error("the default pipeline is invalid");
  return result.pipeline;
}

/**
 * The handoff: one whole-set write under the issue lock, from the labels the stage started
 * with, less what people took off since (their `unlabeled` deliveries), plus the labels
 * parked while this stage held the issue (they are on it): the claim label off, the next
 * label on. The next claim takes the same lock and reads after this write, so the two
 * cannot interleave. A label a person added meanwhile is put back by
 * restore-clobbered-label.ts (docs/architecture.md §1).
 */
async function handOff(
  rt: Runtime,
  job: Job<StageJob>,
  github: GitHub,
  pipeline: Pipeline,
  issue: IssueSnapshot & { read_at: number },
  claim: string,
  labels: string[],
): Promise<void> {
  const ref = job.data.issue;
  await withIssueLock(rt, ref.repoId, ref.number, async () => {
    // Marked before the write, under the lock (no claim reads in between): a retry after a
    // crash here re-reads the issue and finishes the write instead of running the stage again.
    await job.updateData({ ...job.data, handedOff: labels[0], handOffLabels: labels });
    const gone = await removedByPeople(rt, ref);
    const parked = await rt.redis.hkeys(keys.parkedLabels(rt, ref.repoId, ref.number));
    const before = [...issue.labels.filter((l) => !gone.has(l.toLowerCase())), ...parked];
    await writeLabels(rt, github, ref, pipeline, { before, after: [...before.filter((l) => l !== claim), ...labels], readAt: issue.read_at });
  });
}

/**
 * How old the claim's read of the issue may be for the stage to start from it: under a
 * burst most stages start well within a minute of their claim. Labels people change
 * meanwhile are accounted for at the handoff (their webhooks); a title or body edited in
 * that minute is read by the next stage.
 */
const SNAPSHOT_FRESH_MS = 60_000;

/**
 * The claim's read of the issue, when this is the job's first attempt and it starts within
 * seconds of the claim (the common case); a retry, or a job that waited in the queue, reads
 * the issue again. A `/baton stop` meanwhile is caught by its Redis flag, not by the label.
 */
function freshSnapshot(job: Job<StageJob>): (IssueSnapshot & { state: string; read_at: number; comments?: number }) | undefined {
  const snapshot = job.data.snapshot;
  if (!snapshot || job.attemptsMade > 0 || Date.now() - snapshot.read_at > SNAPSHOT_FRESH_MS) return undefined;
  return { ...snapshot, state: "open" };
}

async function readIssue(github: GitHub, ref: IssueRef): Promise<IssueSnapshot & { state: string; read_at: number; comments?: number }> {
  const readAt = Date.now();
  const { data } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
  return {
    read_at: readAt,
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    labels: data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
    author: data.user?.login ?? "",
    html_url: data.html_url,
    state: data.state,
    comments: data.comments,
  };
}

/** The label an outcome leads to; a gated pass waits at `next.gate`. */
function nextLabel(stage: Stage, outcome: string): string {
  const key = stage.gate && outcome === "pass" ? "gate" : outcome;
  const label = stage.next[key];
  if (!label) {
    throw new PermanentError(`the ${stage.name} stage ended with "${outcome}", and its \`next\` has no label for that outcome.`, {
      hint: `Add \`${key}: <label>\` under \`stages.${stage.name}.next\` in .github/baton.yml, then comment \`/baton retry\`.`,
    });
  }
  return label;
}

async function postGateComment(github: GitHub, ref: IssueRef, stage: Stage, gateLabel: string, runId: string, comments: IssueComment[]): Promise<void> {
  const pass = stage.next.pass ?? "the next stage's label";
  await ensureComment(
    github,
    ref,
    `<!-- baton:gate run=${runId} -->`,
    `⏸️ The **${stage.name}** stage is done and waits for a person (\`${gateLabel}\`). Read it above; to continue, comment \`/baton approve\` or replace \`${gateLabel}\` with \`${pass}\`.`,
    comments,
  );
}

/** Shows a retry in the status comment; failing to do so must not hide the original error. */
async function noteRetry(
  github: GitHub,
  app: AppIdentity,
  ref: IssueRef,
  pipeline: Pipeline,
  stage: Stage,
  comments: IssueComment[],
  error: unknown,
  log: Runtime["log"],
): Promise<void> {
  try {
    await updateStatus(
      github,
      ref,
      pipeline,
      comments.length ? comments : await listComments(github, ref, app),
      stage.name,
      { state: "retrying", note: describeError(error).slice(0, 120) },
      stage.claim,
    );
  } catch (statusError) {
    log.warn({ err: statusError }, "could not show the retry in the status comment");
  }
}
