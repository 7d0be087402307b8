import type { AgentRequest } from "../agents/run-agent.js";
import { PermanentError } from "../errors.js";
import { readRepoFile } from "../github/read-repo-file.js";
import type { StageRun } from "./types.js";

/**
 * What every stage hands the agent runner besides its context: the run, the route inputs,
 * cancellation, output streaming, and the repository's own prompt template when the stage
 * names one (`prompt: .github/baton/design.md`, read from the default branch).
 */
export async function agentRequest(run: StageRun): Promise<Omit<AgentRequest, "context">> {
  const { prompt } = run.stage;
  const promptOverride = prompt ? await readRepoFile(run.github, run.ref, prompt) : undefined;
  if (prompt && promptOverride === undefined) {
    throw new PermanentError(`stages.${run.stage.name}.prompt names \`${prompt}\`, which is not on the repository's default branch.`, {
      hint: "Add the template there (or remove `prompt:` to use the built-in one), then comment `/baton retry`.",
    });
  }
  return { runId: run.runId, stage: run.stage, pipeline: run.pipeline, issueLabels: run.issue.labels, promptOverride, signal: run.signal, onOutput: run.onOutput, onEvent: run.onAgentEvent, env: run.rt.env };
}
