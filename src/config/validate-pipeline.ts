import type { ConfigProblem, Pipeline } from "./resolve-pipeline.js";

/**
 * The label-graph rules of DESIGN §2 that a schema cannot express.
 * (Placeholder: the full rule set is being written; see test/config.)
 */
export function validatePipeline(_pipeline: Pipeline): ConfigProblem[] {
  return [];
}
