import { runAgent } from "../agents/run-agent.js";
import { agentRequest, withCodeView } from "./agent-request.js";
import { TriageOutput } from "../agents/outputs.js";
import { issueContext } from "./issue-context.js";
import { findOwnArtifact, nextRevision, postArtifact } from "./post-artifact.js";
import type { StageHandler } from "./types.js";

/** Labels triage adds on a pass, so people can sort the board by them. */
function classificationLabels(output: TriageOutput): string[] {
  return [`type:${output.type}`, `priority:${output.priority}`, `size:${output.size}`];
}

function renderBrief(output: TriageOutput): string {
  const verdict = output.outcome === "pass" ? "clear enough to design" : "needs more information";
  const lines = [
    "## 🧭 Triage brief",
    "",
    `**Type:** ${output.type} · **Priority:** ${output.priority} · **Size:** ${output.size} · **Verdict:** ${verdict}`,
    "",
    output.brief.trim(),
  ];
  if (output.questions.length > 0) {
    lines.push("", "### Questions for the author", "", ...output.questions.map((q) => `- ${q}`));
    lines.push("", "_Answer in a comment, then apply the triage label again._");
  }
  return lines.join("\n");
}

/**
 * Triage: classify the issue, judge whether it is clear, write a brief.
 * 1. Reuse this run's brief if an earlier attempt posted it.
 * 2. Ask the agent for a TriageOutput about the (sanitised) issue.
 * 3. Post the brief artifact; on a pass, add type/priority/size labels.
 */
export const triage: StageHandler = async (run) => {
  const own = findOwnArtifact(run);
  if (own) {
    const labels = own.meta.outcome === "pass" ? [`type:${own.meta.type}`, `priority:${own.meta.priority}`, `size:${own.meta.size}`] : [];
    return { outcome: own.meta.outcome, artifactUrl: own.comment.html_url, revision: own.revision, note: "reused this run's brief", labels };
  }
  const result = await withCodeView(run, async (view) =>
    runAgent("triage", {
      ...(await agentRequest(run, view)),
      context: { issue: issueContext(run.issue) },
    }),
  );
  const output = result.data;
  const revision = nextRevision(run);
  const comment = await postArtifact(run, revision, renderBrief(output), {
    outcome: output.outcome,
    type: output.type,
    priority: output.priority,
    size: output.size,
    questions: output.questions,
    backend: result.backend,
    model: result.model,
    usage: result.usage,
  });
  return {
    outcome: output.outcome,
    artifactUrl: comment.html_url,
    revision,
    usage: result.usage,
    backend: result.backend,
    model: result.model,
    note: `${output.type}, ${output.priority}, ${output.size}`,
    labels: output.outcome === "pass" ? classificationLabels(output) : [],
  };
};
