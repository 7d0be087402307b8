import type { Job } from "bullmq";
import { z } from "zod";
import { formatProblems, parseConfigText } from "../config/parse-config.js";
import { ensureRepoLabels } from "../github/ensure-repo-labels.js";
import { IssueRef, RepoRef, type GitHub } from "../github/types.js";
import { recordLessons } from "../stages/lessons.js";
import { CommandName } from "./commands/parse-command.js";
import { runCommand } from "./commands/run-command.js";
import { processPullEvent, PullEventTask } from "./process-pull-event.js";
import type { Runtime } from "../runtime.js";
import { CONFIG_PATH, forgetConfig, loadPipeline } from "./load-pipeline.js";
import { trackPlanOf } from "./track-plan.js";
import { restoreClobberedLabel, RestoreLabelTask } from "./restore-clobbered-label.js";

/**
 * Work that does not start a stage: label bootstrap, the config check run, lessons after a
 * merge, `/baton` commands, and tracking a plan's sub-issues.
 */
export const RepoTask = z.discriminatedUnion("task", [
  z.object({ task: z.literal("bootstrap-labels"), repo: RepoRef }),
  z.object({ task: z.literal("check-config"), repo: RepoRef, sha: z.string().regex(/^[0-9a-f]{7,64}$/) }),
  z.object({ task: z.literal("lessons"), issue: IssueRef, pr: z.number().int().positive() }),
  /** A plan's sub-issue was labelled or closed: promote its siblings, finish its parent. */
  z.object({ task: z.literal("track-plan"), issue: IssueRef }),
  z.object({
    task: z.literal("command"),
    issue: IssueRef,
    command: z.union([CommandName, z.literal("unknown")]),
    commenter: z.string(),
    commentId: z.number().int(),
  }),
  PullEventTask,
  RestoreLabelTask,
]);
export type RepoTask = z.infer<typeof RepoTask>;

const CHECK_NAME = "Baton config";

export async function processRepoTask(rt: Runtime, job: Job<RepoTask>): Promise<string> {
  const data = RepoTask.parse(job.data);
  switch (data.task) {
    case "bootstrap-labels":
      return bootstrapLabels(rt, await rt.auth(data.repo.installationId), data.repo);
    case "check-config":
      return checkConfig(rt, await rt.auth(data.repo.installationId), data.repo, data.sha);
    case "lessons": {
      const github = await rt.auth(data.issue.installationId);
      const config = await loadPipeline(rt, github, data.issue);
      if (!config.ok || !config.pipeline.config.lessons.enabled) return "lessons skipped";
      return `lessons at ${await recordLessons(rt, github, data.issue, config.pipeline, data.pr)}`;
    }
    case "command":
      return runCommand(rt, data);
    case "pull-event":
      return processPullEvent(rt, data);
    case "track-plan":
      return trackPlanOf(rt, await rt.auth(data.issue.installationId), data.issue);
    case "restore-label":
      return restoreClobberedLabel(rt, data);
  }
}

/** On installation: create the pipeline's labels the repository lacks (its own config's, when valid). */
async function bootstrapLabels(rt: Runtime, github: GitHub, repo: RepoRef): Promise<string> {
  const config = await loadPipeline(rt, github, repo);
  if (!config.ok) return "config invalid: labels are created on first use once it is fixed";
  const created = await ensureRepoLabels(github, repo, config.pipeline);
  return `created ${created.length} labels`;
}

/**
 * A push changed `.github/baton.yml`: validate the file at that commit and report it as a
 * check run, so a broken pipeline shows on the commit before anyone applies a label.
 */
async function checkConfig(rt: Runtime, github: GitHub, repo: RepoRef, sha: string): Promise<string> {
  await forgetConfig(rt, repo.repoId);
  let text: string | undefined;
  try {
    const { data } = await github.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path: CONFIG_PATH, ref: sha, mediaType: { format: "raw" } });
    text = String(data);
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  const result = parseConfigText(text ?? "", rt.env);
  const problems = result.ok ? result.warnings : result.problems;
  const summary =
    text === undefined
      ? `No ${CONFIG_PATH}: the default pipeline applies.`
      : result.ok
        ? `${CONFIG_PATH} is valid${problems.length ? ` (${problems.length} warning${problems.length > 1 ? "s" : ""})` : ""}.`
        : `${CONFIG_PATH} is invalid: Baton will not claim issues in this repository until it is fixed.`;
  await github.rest.checks.create({
    owner: repo.owner,
    repo: repo.repo,
    name: CHECK_NAME,
    head_sha: sha,
    status: "completed",
    conclusion: result.ok ? (problems.length ? "neutral" : "success") : "failure",
    output: { title: summary, summary, text: problems.length ? "```\n" + formatProblems(problems) + "\n```" : undefined },
  });
  return summary;
}
