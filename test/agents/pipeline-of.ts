import { parseConfigText } from "../../src/config/parse-config.js";
import type { Pipeline, Stage } from "../../src/config/resolve-pipeline.js";

/** A pipeline from YAML text, failing loudly when the text is invalid. */
export function pipelineOf(yaml = ""): Pipeline {
  const result = parseConfigText(yaml, {});
  if (!result.ok) throw new Error(`invalid test config: ${JSON.stringify(result.problems)}`);
  return result.pipeline;
}

export function stageOf(pipeline: Pipeline, name: string): Stage {
  const stage = pipeline.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}
