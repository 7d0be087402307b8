import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { BACKENDS } from "../../agents/registry.js";
import { resolveRoute } from "../../agents/resolve-route.js";
import type { Pipeline, Stage } from "../../config/resolve-pipeline.js";
import { describeError } from "../../errors.js";
import { addLabels } from "../../github/labels.js";
import type { GitHub, IssueRef } from "../../github/types.js";
import type { StageJob } from "../../pipeline/job-data.js";
import { holdIssueAt } from "../../pipeline/hold-issue.js";
import { loadPipeline } from "../../pipeline/load-pipeline.js";
import { processIntake } from "../../pipeline/process-intake.js";
import { processStage } from "../../pipeline/process-stage.js";
import { stageQueue } from "../../pipeline/queues.js";
import type { Runtime } from "../../runtime.js";
import { CliError, cliRuntime, connectGitHub, openRepo } from "../connect.js";

interface RunOptions {
  repo: string;
  issue: number;
  dryRun?: boolean;
  from?: string;
  to?: string;
}

const labelsOf = async (github: GitHub, ref: IssueRef) =>
  (await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number })).data.labels.map((l) =>
    typeof l === "string" ? l : (l.name ?? ""),
  );

/** The stages from `start` following each stage's pass label, up to `to`. */
function plan(pipeline: Pipeline, start: Stage, to?: string): Stage[] {
  const path: Stage[] = [];
  for (let stage: Stage | undefined = start; stage && !path.includes(stage);) {
    path.push(stage);
    if (stage.name === to) break;
    const pass: string | undefined = stage.gate ? stage.next.gate : (stage.next.pass ?? stage.next.approved);
    stage = pipeline.stages.find((s) => s.on === pass);
  }
  return path;
}

function startStage(pipeline: Pipeline, labels: string[], from?: string): Stage {
  if (from) {
    const stage = pipeline.stages.find((s) => s.name === from);
    if (!stage) throw new CliError(`no stage "${from}" (stages: ${pipeline.stages.map((s) => s.name).join(", ")})`);
    return stage;
  }
  const current = pipeline.stages.find((s) => labels.includes(s.on) || labels.includes(s.claim));
  const entry = pipeline.stages.find((s) => s.entry);
  if (!current && !entry) throw new CliError("the issue carries no stage label and the pipeline has no entry stage; use --from");
  return (current ?? entry)!;
}

/** Runs one claimed stage here; when another process holds the claim, waits for it to finish. */
async function step(rt: Runtime, github: GitHub, ref: IssueRef, stage: Stage): Promise<string> {
  const intake = await rt.queues.intake.add("cli", {
    deliveryId: `cli-${randomUUID()}`,
    source: "cli",
    issue: ref,
    label: stage.on,
    sender: { login: "baton-cli", type: "Bot" },
  });
  const claimed = await processIntake(rt, intake);
  if (claimed.action === "claimed") {
    const job = await stageQueue(rt.queues, stage.kind).getJob(claimed.runId);
    if (!job) throw new CliError(`the ${stage.name} job vanished from the queue`);
    const result = await processStage(rt, job as typeof job & { data: StageJob });
    return result.action === "handed-off" ? `${result.outcome} → ${result.label}` : `${result.action}: ${result.reason}`;
  }
  if (claimed.action !== "dropped") return `${claimed.action}: ${claimed.reason}`;
  for (let waited = 0; waited < 3_600_000; waited += 2000) {
    const labels = await labelsOf(github, ref);
    if (!labels.includes(stage.claim) && !labels.includes(stage.on)) return "finished by another Baton process";
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new CliError(`the ${stage.name} stage did not finish within an hour`);
}

/**
 * `baton run --repo o/r --issue N`: takes one issue as far as it can from this process,
 * printing each stage as it ends. `--dry-run` prints the plan (stages, labels, backends)
 * and writes nothing.
 */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("take one issue as far as the pipeline goes, from this process (exit 0 done or waiting, 1 blocked, 2 setup error)")
    .requiredOption("--repo <owner/name>", "the repository")
    .requiredOption("--issue <number>", "the issue number", Number)
    .option("--dry-run", "print the plan without writing anything to GitHub")
    .option("--from <stage>", "start at this stage (default: the stage the issue's labels point at)")
    .option("--to <stage>", "stop after this stage")
    .action(async (options: RunOptions) => {
      const probot = connectGitHub();
      const { github, repo } = await openRepo(probot, options.repo);
      const ref: IssueRef = { ...repo, number: options.issue };
      const rt = cliRuntime();
      try {
        const config = await loadPipeline(rt, github, ref);
        if (!config.ok) throw new CliError(`.github/baton.yml is invalid: ${config.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, 1);
        const { pipeline } = config;
        const labels = await labelsOf(github, ref);
        const path = plan(pipeline, startStage(pipeline, labels, options.from), options.to);
        if (options.dryRun) {
          console.log(`Plan for ${options.repo}#${options.issue} (labels now: ${labels.join(", ") || "none"}):`);
          for (const s of path) {
            let backends: string;
            try {
              backends = resolveRoute({ pipeline, stage: s, issueLabels: labels, env: rt.env }, new Set(BACKENDS.keys()))
                .map((a) => a.backend)
                .join(" → ");
            } catch (error) {
              backends = `no backend: ${describeError(error)}`;
            }
            console.log(
              `  ${s.name.padEnd(12)} ${s.on} → ${s.claim} → ${Object.entries(s.next)
                .map(([o, l]) => `${o}: ${l}`)
                .join(", ")}  [agent: ${backends}]${s.gate ? " (gate)" : ""}`,
            );
          }
          return;
        }
        const last = path[path.length - 1];
        if (options.to) {
          if (last?.name !== options.to)
            throw new CliError(
              `no stage "${options.to}" on the way from ${path[0]?.name ?? "here"} (stages: ${pipeline.stages.map((s) => s.name).join(", ")})`,
            );
          // A Baton running elsewhere must not take the issue past `--to` either.
          await holdIssueAt(
            rt,
            ref,
            Object.values(last.next).filter((label) => pipeline.stages.some((s) => s.on === label)),
          );
        }
        if (!path.some((s) => labels.includes(s.on) || labels.includes(s.claim))) await addLabels(github, ref, [path[0]!.on]);
        for (const stage of path) {
          const now = await labelsOf(github, ref);
          if (!now.includes(stage.on) && !now.includes(stage.claim)) break;
          const started = Date.now();
          const outcome = await step(rt, github, ref, stage);
          console.log(`${stage.name.padEnd(12)} ${outcome}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          if (outcome.includes(pipeline.config.labels.blocked) || outcome.startsWith("blocked")) {
            process.exitCode = 1;
            break;
          }
        }
        console.log(`labels: ${(await labelsOf(github, ref)).join(", ")}`);
      } finally {
        await rt.close();
      }
    });
}
