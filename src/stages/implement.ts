import { addUsage, runAgent } from "../agents/run-agent.js";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { PermanentError } from "../errors.js";
import { issueBranch, upsertPull } from "../github/pulls.js";
import type { AppIdentity } from "../github/app-identity.js";
import { mintRepoToken } from "../github/mint-repo-token.js";
import { readRepoInfo } from "../github/read-repo-info.js";
import { withWorkspace, workspaceBytes, type Workspace } from "../github/workspace.js";
import { renderPreflight, runPreflight, type PreflightResult } from "../process/run-preflight.js";
import type { Usage } from "../agents/types.js";
import { filesWithConflictMarkers, readSources, writeAgentFiles } from "./agent-files.js";
import { agentRequest } from "./agent-request.js";
import { readSpec, type Spec } from "./read-spec.js";
import { issueContext } from "./issue-context.js";
import { latestOfKind } from "./latest-of-kind.js";
import { findOwnArtifact, nextRevision, postArtifact } from "./post-artifact.js";
import type { StageHandler, StageRun } from "./types.js";
import { pendingFeedback, renderConflictPrompt, renderFeedbackPrompt } from "./human-feedback.js";
import { afterImplement, describeBase, resolveBase } from "./pull-collaboration.js";

/** A workspace may not grow past this (an agent must not fill the worker's disk). */
const MAX_WORKSPACE_BYTES = 2 * 1024 ** 3;
const PREFLIGHT_TIMEOUT_MS = 10 * 60_000;

/**
 * Implement: turn the spec into a pull request.
 * 1. Read the spec (as people left it) and any review feedback to address; no spec → blocked.
 * 2. Clone `baton/issue-<n>` (continuing it on a revision) and give the agent a copy.
 * 3. Let the agent change its copy; run pre-flight there; a failure goes back to the agent
 *    with its output, up to `max_preflight_retries`, then the issue is blocked.
 * 4. Check the change and apply it to Baton's own clone (README.md, "Security
 *    model"); commit as the bot there and push with a token for this repository's
 *    contents only. The PR and the artifact go through the installation's REST client,
 *    which never leaves this process.
 */
export const implement: StageHandler = async (run) => {
  const own = findOwnArtifact(run);
  if (own)
    return { outcome: "pass", artifactUrl: own.comment.html_url, prUrl: String(own.meta.pr_url ?? ""), revision: own.revision, note: "reused this run's PR" };
  const spec = requireSpec(run);
  const review = latestOfKind(run, "review");
  const lastImplement = latestOfKind(run, "implement");
  const reviewFeedback =
    review && review.meta.verdict === "needs-changes" && (!lastImplement || review.comment.id > lastImplement.comment.id) ? review.markdown : "";
  // A person's review or failing CI on the PR, recorded on the issue (src/stages/human-feedback.ts).
  const prFeedback = pendingFeedback(run);
  const feedback = [reviewFeedback, prFeedback ? renderFeedbackPrompt(prFeedback) : ""].filter(Boolean).join("\n\n");
  const revision = nextRevision(run);
  const repo = await readRepoInfo(run.rt, run.github, run.ref);
  const branch = issueBranch(run.ref.number);
  const app = await run.rt.appIdentity();
  const bot = app.botLogin;
  const { base, label: baseLabel } = await resolveBase(run, repo.default_branch);

  const rules = {
    allowWorkflows: run.rt.env.BATON_ALLOW_WORKFLOW_CHANGES,
    maxFiles: run.rt.env.BATON_MAX_CHANGED_FILES,
    maxBytes: run.rt.env.BATON_MAX_CHANGE_BYTES,
  };
  const token = (access: "read" | "write") => mintRepoToken(run.github, run.ref, access);
  const outcome = await withWorkspace(
    { cloneUrl: repo.clone_url, baseBranch: base, branch, token, author: botIdentity(app), searchPath: run.rt.env.PATH },
    async (workspace) => {
      const conflicts = workspace.conflicts.length ? renderConflictPrompt(base, workspace.conflicts) : "";
      const work = await workUntilPreflightPasses(run, workspace, spec, [feedback, conflicts].filter(Boolean).join("\n\n"));
      const sha = await workspace.publish({ message: work.commitMessage, author: botIdentity(app), rules });
      if (!sha && !workspace.continued) {
        throw new PermanentError("the agent made no change to the repository.", {
          hint: "Make the spec more concrete (edit the design comment), then comment `/baton retry`.",
        });
      }
      return { ...work, sha };
    },
  );

  const pull = await upsertPull(run.github, run.ref, {
    branch,
    base,
    title: run.issue.title,
    label: run.pipeline.config.labels.pr,
    botLogin: bot,
    body: renderPullBody(run, spec, outcome.summary, outcome.preflight) + describeBase(run, base, baseLabel, repo.default_branch),
  });
  await afterImplement(run, pull, prFeedback, { summary: outcome.summary, sha: outcome.sha, revision });
  const comment = await postArtifact(
    run,
    revision,
    renderImplementArtifact(pull.html_url, branch, revision, outcome.summary, outcome.preflight, feedback !== ""),
    {
      outcome: "pass",
      pr_number: pull.number,
      pr_url: pull.html_url,
      branch,
      sha: outcome.sha ?? null,
      preflight: outcome.preflight.map(({ output_tail: _tail, ...r }) => r),
      preflight_failures: outcome.preflightFailures,
      backend: outcome.backend,
      model: outcome.model,
      usage: outcome.usage,
    },
  );
  return {
    outcome: "pass",
    artifactUrl: comment.html_url,
    prUrl: pull.html_url,
    revision,
    usage: outcome.usage,
    backend: outcome.backend,
    model: outcome.model,
    note: `PR #${pull.number}${revision > 1 ? ` (revision ${revision})` : ""}`,
  };
};

/**
 * The git identity of the app's bot user: `<slug>[bot]`, with GitHub's noreply address form
 * (`<id>+<login>@users.noreply.github.com`).
 */
function botIdentity(app: AppIdentity): { name: string; email: string } {
  return { name: app.botLogin, email: `${app.id}+${app.botLogin}@users.noreply.github.com` };
}

function requireSpec(run: StageRun): Spec | undefined {
  if (run.stage.requires === "none") return readSpecOfDesign(run);
  const spec = readSpecOfDesign(run);
  if (!spec) {
    const design = run.pipeline.stages.find((s) => s.kind === "design");
    throw new PermanentError("there is no design spec on this issue, and the implement stage requires one.", {
      hint: design
        ? `Apply \`${design.on}\` to run the design stage first (or set \`requires: none\` on the implement stage to work from the issue alone).`
        : "Set `requires: none` on the implement stage to work from the issue alone.",
    });
  }
  return spec;
}

function readSpecOfDesign(run: StageRun): Spec | undefined {
  const designStage = run.pipeline.stages.find((s) => s.name === run.stage.requires) ?? run.pipeline.stages.find((s) => s.kind === "design");
  return designStage ? readSpec(run.comments, designStage.name) : undefined;
}

async function workUntilPreflightPasses(run: StageRun, workspace: Workspace, spec: Spec | undefined, feedback: string) {
  const retries = run.stage.max_preflight_retries ?? 2;
  let preflightFailure = "";
  let usage: Usage | undefined;
  const request = await agentRequest(run);
  const specFiles = [...new Set([...((spec?.artifact.meta.files as string[] | undefined) ?? []), ...workspace.conflicts])];
  for (let attempt = 0; ; attempt++) {
    const result = await runAgent("implement", {
      ...request,
      touchedPaths: specFiles,
      // The spec and the feedback are comments people may edit: untrusted, like the issue.
      context: {
        issue: issueContext(run.issue),
        spec: sanitizeUntrusted(spec?.markdown ?? ""),
        criteria: (spec?.criteria ?? []).map(sanitizeUntrusted),
        feedback: sanitizeUntrusted(feedback),
        preflight_failure: preflightFailure,
        conflicts: workspace.conflicts,
        sources: await readSources(workspace.dir, specFiles),
      },
      workspace: workspace.dir,
    });
    usage = usage ? addUsage(usage, result.usage) : result.usage;
    await writeAgentFiles(workspace.dir, result.data.files);
    if ((await workspaceBytes(workspace)) > MAX_WORKSPACE_BYTES) throw new PermanentError("the workspace grew past 2 GiB; the change was not pushed.");
    const unresolved = await filesWithConflictMarkers(workspace.dir, workspace.conflicts);
    const preflight = unresolved.length
      ? {
          ok: false,
          results: [
            {
              command: "(conflict markers)",
              exit_code: 1,
              timed_out: false,
              duration_ms: 0,
              output_tail: `Conflict markers remain in ${unresolved.join(", ")}; resolve each conflict and remove every marker line.`,
            },
          ],
        }
      : await runPreflight(run.stage.preflight ?? [], workspace.dir, Math.min(run.stage.timeout_ms, PREFLIGHT_TIMEOUT_MS), {
          settings: run.rt.env,
          processEnv: run.rt.processEnv,
          log: run.log,
        });
    if (preflight.ok) {
      return {
        summary: result.data.summary,
        commitMessage: result.data.commit_message ?? `Implement #${run.ref.number}: ${run.issue.title}`,
        preflight: preflight.results,
        preflightFailures: attempt,
        usage,
        backend: result.backend,
        model: result.model,
      };
    }
    const failed = preflight.results[preflight.results.length - 1] as PreflightResult;
    if (attempt >= retries) {
      throw new PermanentError(
        `pre-flight \`${failed.command}\` still fails after ${attempt + 1} attempt(s) (${failed.timed_out ? "timed out" : `exit ${failed.exit_code}`}). The end of its output:\n\n\`\`\`\n${failed.output_tail.slice(-1500)}\n\`\`\``,
        {
          hint: "Fix the cause (or the `preflight` commands in .github/baton.yml), then comment `/baton retry`.",
        },
      );
    }
    preflightFailure = `\`${failed.command}\` failed (${failed.timed_out ? "timed out" : `exit ${failed.exit_code}`}):\n\n${failed.output_tail}`;
    run.log.info({ command: failed.command, attempt: attempt + 1 }, "pre-flight failed: back to the agent");
  }
}

function renderPullBody(run: StageRun, spec: Spec | undefined, summary: string, preflight: PreflightResult[]): string {
  const criteria = spec?.criteria.length ? spec.criteria.map((c) => `- [ ] ${c}`).join("\n") : "_No acceptance criteria (implemented from the issue alone)._";
  return [
    `Closes #${run.ref.number}`,
    "",
    `Opened by Baton from the [design spec](${spec?.artifact.comment.html_url ?? run.issue.html_url}).`,
    "",
    "## Summary",
    "",
    summary,
    "",
    "## Acceptance criteria",
    "",
    criteria,
    "",
    "## Pre-flight",
    "",
    renderPreflight(preflight),
  ].join("\n");
}

function renderImplementArtifact(
  prUrl: string,
  branch: string,
  revision: number,
  summary: string,
  preflight: PreflightResult[],
  addressedFeedback: boolean,
): string {
  return [
    `## 🛠️ Implementation${revision > 1 ? ` (revision ${revision})` : ""}`,
    "",
    `**Pull request:** ${prUrl} · branch \`${branch}\`${addressedFeedback ? " · addresses the review feedback above" : ""}`,
    "",
    summary,
    "",
    "### Pre-flight",
    "",
    renderPreflight(preflight),
  ].join("\n");
}
