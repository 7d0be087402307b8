import { implement as cannedImplement } from "../../agents/backends/builtin.js";
import { ImplementOutput } from "../../agents/outputs.js";
import { ArtifactMeta } from "../../github/artifacts.js";
import { implement } from "../implement.js";
import { defineStageKind, promptUrl } from "../kind-module.js";

/** Implement: turn the spec into a pull request. */
export const implementKind = defineStageKind({
  name: "implement",
  outcomes: { required: ["pass"], optional: ["gate"] },
  output: ImplementOutput,
  data: ArtifactMeta,
  prompt: promptUrl("implement"),
  handler: (run) => implement(run),
  canned: (task) => cannedImplement(task),
});
