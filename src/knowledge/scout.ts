import type { ScoutOutput } from "../agents/outputs.js";
import { runAgent } from "../agents/run-agent.js";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { parseDuration } from "../config/duration.js";
import type { Pipeline } from "../config/resolve-pipeline.js";
import { describeError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { Briefing, ScoutPass } from "./briefing.js";
import type { Checkout } from "./read-only-checkout.js";
import { filesWithin } from "./relevant-files.js";
import { renderBriefing } from "./render-briefing.js";

/** Bounds on what the agent's summary may put into every later prompt. */
const MAX_ITEMS = 20;
const MAX_TEXT = 300;
const MAX_SUMMARY = 2000;

/** What the scout's pass needs of the stage that asked for the briefing. */
export interface ScoutRun {
  rt: Runtime;
  pipeline: Pipeline;
  /** The stage's cancellation (`/baton stop`, shutdown): a stopped pass leaves nothing cached. */
  signal: AbortSignal;
}

/** How long the scout's agent may take (`scout.timeout`), or undefined when `scout:` is not configured. */
export function scoutTimeoutMs(pipeline: Pipeline): number | undefined {
  const scout = pipeline.config.scout;
  return scout ? parseDuration(scout.timeout) : undefined;
}

const text = (value: string, max = MAX_TEXT) => sanitizeUntrusted(value).trim().slice(0, max);

/** A path of the tree (a file, or a directory holding files), as the layout writes it: `src/`, `src/greet.js`, `.`. */
function inTree(briefing: Briefing, path: string): boolean {
  const clean = path.replace(/^\.\//, "").replace(/\/+$/, "");
  return clean === "." || clean === "" || briefing.files.some((f) => f.path === clean || f.path.startsWith(`${clean}/`));
}

/**
 * The agent read untrusted code and its answer goes into every later prompt on this commit:
 * its text is sanitised and bounded like repository text, and an area whose path is not in
 * the tree is dropped (a summary naming no real path is no summary).
 */
function checkSummary(briefing: Briefing, output: ScoutOutput): ScoutOutput | string {
  const areas = output.areas.filter((a) => inTree(briefing, a.path));
  if (!areas.length)
    return `none of the areas it named is a path of the repository (${output.areas
      .slice(0, 5)
      .map((a) => JSON.stringify(a.path.slice(0, 60)))
      .join(", ")})`;
  return {
    summary: text(output.summary, MAX_SUMMARY),
    areas: areas.slice(0, MAX_ITEMS).map((a) => ({ path: text(a.path, 200), holds: text(a.holds) })),
    conventions: output.conventions.slice(0, MAX_ITEMS).map((c) => text(c)),
    commands: output.commands.slice(0, MAX_ITEMS).map((c) => ({ name: text(c.name, 100), run: text(c.run) })),
    pitfalls: output.pitfalls.slice(0, MAX_ITEMS).map((p) => text(p)),
  };
}

/**
 * The scout's agent pass over one commit (docs/architecture.md §13), run once per commit by
 * whoever builds the briefing:
 * 1. The agent (`scout.agent`, else the default route; never an issue's `agent:` label, since
 *    the result is shared by every issue) gets the deterministic briefing and the read-only
 *    checkout (CLI agents, with read-only tools and the sandbox's read-only bind) or the
 *    layout's key files within `scout.context_tokens` (text-only agents).
 * 2. Its answer is validated (one repair request, as for a stage), then sanitised and its
 *    paths checked against the tree.
 * 3. Anything wrong gives a `failed` pass with the reason: the stages go on with the
 *    deterministic briefing; nothing blocks the issue. Only a stop is thrown on.
 */
export async function runScout(run: ScoutRun, checkout: Pick<Checkout, "agentCopy" | "clone" | "sha">, briefing: Briefing): Promise<ScoutPass> {
  const scout = run.pipeline.config.scout;
  if (!scout) throw new Error("runScout needs `scout:` in the config");
  const keyFiles = [...new Set(briefing.layout.flatMap((d) => d.key_files))];
  try {
    const result = await runAgent("scout", {
      runId: `scout-${checkout.sha.slice(0, 12)}`,
      stage: { name: "scout", kind: "scout", agent: scout.agent, timeout_ms: parseDuration(scout.timeout) },
      pipeline: run.pipeline,
      issueLabels: [],
      signal: run.signal,
      server: run.rt,
      context: {
        repo: briefing.repo,
        briefing: renderBriefing(briefing),
        layout: briefing.layout,
        commands: briefing.commands,
        conventions: briefing.conventions.map((c) => c.path),
      },
      readOnlyCheckout: { dir: checkout.agentCopy, sha: checkout.sha },
      relevantFiles: (await filesWithin(checkout.clone, keyFiles, scout.context_tokens)).rendered,
    });
    const summary = checkSummary(briefing, result.data);
    if (typeof summary === "string") return { status: "failed", backend: result.backend, error: `the scout's answer was not usable: ${summary}` };
    return { status: "summarized", backend: result.backend, model: result.model, usage: result.usage, summary };
  } catch (error) {
    if (run.signal.aborted) throw error;
    return { status: "failed", error: describeError(error).slice(0, 500) };
  }
}
