import type { AgentRequest } from "../agents/run-agent.js";
import type { Usage } from "../agents/types.js";
import { PermanentError } from "../errors.js";
import { readRepoFile } from "../github/read-repo-file.js";
import { readRepoInfo } from "../github/read-repo-info.js";
import type { Briefing } from "../knowledge/briefing.js";
import { rankFiles } from "../knowledge/build-briefing.js";
import { checkBudget } from "../knowledge/check-budget.js";
import { findLessons, renderLessons } from "../knowledge/find-lessons.js";
import { latestBriefing, loadBriefing } from "../knowledge/load-briefing.js";
import { withReadOnlyCheckout, type Checkout } from "../knowledge/read-only-checkout.js";
import { relevantFiles } from "../knowledge/relevant-files.js";
import { renderBriefing } from "../knowledge/render-briefing.js";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import type { StageRun } from "./types.js";

/** A read-only checkout of the base commit and the repository's briefing at that commit. */
export interface CodeView {
  checkout: Checkout;
  briefing: Briefing;
  /** What the scout's agent cost, when this run built the briefing (counted in this issue's spend). */
  scoutUsage?: Usage;
}

/**
 * Runs `fn` with the code as stages that only read see it: a read-only checkout of the
 * default branch's head and its briefing (from the cache, or built once for that commit,
 * with the scout's agent pass when `scout:` is configured). The budget is checked first: a
 * spent issue does not pay for a scout.
 */
export async function withCodeView<T>(run: StageRun, fn: (view: CodeView) => Promise<T>): Promise<T> {
  await checkBudget(run);
  return withReadOnlyCheckout(run.rt.env, run.github, run.ref, await readRepoInfo(run.rt, run.github, run.ref), async (checkout) => {
    const { briefing, scoutUsage } = await loadBriefing(run.rt, run.ref, checkout, { pipeline: run.pipeline, signal: run.signal });
    return fn({ checkout, briefing, scoutUsage });
  });
}

/** Without a view (implement works in its own checkout): the newest briefing, built from a short-lived checkout when there is none. */
async function briefingFor(run: StageRun, view: CodeView | undefined): Promise<Pick<CodeView, "briefing" | "scoutUsage">> {
  if (view) return view;
  const latest = await latestBriefing(run.rt, run.ref.repoId);
  return latest ? { briefing: latest } : withCodeView(run, async (v) => v);
}

/**
 * What every stage hands the agent runner besides its context:
 * 1. the budget check (`budget_usd`: past it the stage does not start);
 * 2. the run, the route inputs, cancellation, output streaming, and the repository's own
 *    prompt template when the stage names one (`prompt: .github/baton/design.md`);
 * 3. what the stage knows of the repository: the briefing, the files most related to the
 *    issue title, and, with a code view, the read-only checkout (CLI agents) or the related
 *    files' text within `context_tokens` (text-only agents), and the earlier lessons most
 *    relevant to the issue, cited by link (`knowledge.lessons` of them).
 */
export async function agentRequest(run: StageRun, view?: CodeView): Promise<Omit<AgentRequest, "context">> {
  await checkBudget(run);
  const { prompt } = run.stage;
  const promptOverride = prompt ? await readRepoFile(run.github, run.ref, prompt) : undefined;
  if (prompt && promptOverride === undefined) {
    throw new PermanentError(`stages.${run.stage.name}.prompt names \`${prompt}\`, which is not on the repository's default branch.`, {
      hint: "Add the template there (or remove `prompt:` to use the built-in one), then comment `/baton retry`.",
    });
  }
  const { briefing, scoutUsage } = await briefingFor(run, view);
  const title = sanitizeUntrusted(run.issue.title);
  const tokens = run.stage.context_tokens ?? run.pipeline.config.defaults.context_tokens;
  const files = view ? await relevantFiles(view.checkout.clone, briefing, `${title}\n${sanitizeUntrusted(run.issue.body)}`, tokens) : undefined;
  const lessons = await findLessons(run);
  run.seen = { briefingSha: briefing.sha, scout: briefing.scout?.status, scoutUsage, lessons: [...new Set(lessons.map((l) => l.url))] };
  return {
    runId: run.runId,
    stage: run.stage,
    pipeline: run.pipeline,
    issueLabels: run.issue.labels,
    promptOverride,
    signal: run.signal,
    onOutput: run.onOutput,
    onEvent: run.onAgentEvent,
    server: run.rt,
    knowledge: {
      briefing: renderBriefing(briefing),
      related_files: rankFiles(briefing, title, 5).map((f) => f.path),
      lessons: renderLessons(lessons),
    },
    readOnlyCheckout: view ? { dir: view.checkout.agentCopy, sha: view.checkout.sha } : undefined,
    relevantFiles: files?.rendered,
  };
}
