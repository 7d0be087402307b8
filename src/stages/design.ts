import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { runAgent } from "../agents/run-agent.js";
import { agentRequest, withCodeView } from "./agent-request.js";
import type { DesignOutput } from "../agents/outputs.js";
import { issueContext } from "./issue-context.js";
import { findLatestArtifact, type Artifact } from "../github/artifacts.js";
import { readArtifactData } from "./read-artifact-data.js";
import { CRITERIA_HEADING } from "./read-spec.js";
import { findOwnArtifact, nextRevision, postArtifact } from "./post-artifact.js";
import type { StageHandler, StageRun } from "./types.js";

export function renderSpec(output: DesignOutput): string {
  const list = (items: string[], empty: string) => (items.length ? items.map((i) => `- ${i}`) : [`- ${empty}`]);
  return [
    "## 📐 Design spec",
    "",
    "### Approach",
    "",
    output.approach.trim(),
    "",
    "### Files to touch",
    "",
    ...list(
      output.files.map((f) => `\`${f}\``),
      "none named",
    ),
    "",
    "### Risks",
    "",
    ...list(output.risks, "none identified"),
    "",
    CRITERIA_HEADING,
    "",
    ...output.acceptance_criteria.map((c) => `- [ ] ${c}`),
    "",
    "_You may edit this comment before implementation starts: the implement stage reads the text as it is then._",
  ].join("\n");
}

/**
 * Design: write the spec with acceptance criteria.
 * 1. Reuse this run's spec if an earlier attempt posted it.
 * 2. Ask the agent for a DesignOutput from the issue and the triage brief.
 * 3. Post the spec artifact.
 */
export const design: StageHandler = async (run) => {
  const own = findOwnArtifact(run);
  if (own) return { outcome: own.meta.outcome, artifactUrl: own.comment.html_url, revision: own.revision, note: "reused this run's spec" };
  const brief = run.pipeline.stages
    .filter((s) => s.kind === "triage")
    .map((s) => findLatestArtifact(run.comments, s.name))
    .find((a) => a !== undefined);
  const result = await withCodeView(run, async (view) =>
    runAgent("design", {
      ...(await agentRequest(run, view)),
      // The brief echoes issue text, and anyone with write access can edit it: untrusted too.
      context: { issue: issueContext(run.issue), brief: sanitizeUntrusted(brief?.markdown ?? "") },
    }),
  );
  const output = result.data;
  const outcome = splitOrPass(run, output, brief);
  const revision = nextRevision(run);
  const comment = await postArtifact(run, revision, renderSpec(output), {
    outcome,
    acceptance_criteria: output.acceptance_criteria,
    files: output.files,
    backend: result.backend,
    model: result.model,
    usage: result.usage,
  });
  return {
    outcome,
    artifactUrl: comment.html_url,
    revision,
    usage: result.usage,
    backend: result.backend,
    model: result.model,
    note: `${output.acceptance_criteria.length} acceptance criteria${outcome === "split" ? ", too large for one PR: to plan" : ""}`,
  };
};

/**
 * `split` (→ the plan stage) when the agent judges the work too large or triage sized it
 * l/xl, and the stage has somewhere to send it; a gated design waits at its gate whatever
 * it proposes (the person then picks the ready or the plan label).
 */
function splitOrPass(run: StageRun, output: DesignOutput, brief: Artifact | undefined): "split" | "pass" {
  const size = brief ? readArtifactData(brief, "triage")?.size : undefined;
  const large = output.split === true || size === "l" || size === "xl";
  return large && run.stage.next.split && !run.stage.gate ? "split" : "pass";
}
