import { z } from "zod";
import { triage as cannedTriage } from "../../agents/backends/builtin.js";
import { TriageOutput } from "../../agents/outputs.js";
import { ArtifactMeta } from "../../github/artifacts.js";
import { defineStageKind, promptUrl } from "../kind-module.js";
import { triage } from "../triage.js";

/** Triage: classify the issue and write a brief (code in ../triage.ts and the builtin backend). */
export const triageKind = defineStageKind({
  name: "triage",
  outcomes: { required: ["pass"], optional: ["needs-info", "gate"] },
  output: TriageOutput,
  data: ArtifactMeta.extend({ type: z.string().optional(), priority: z.string().optional(), size: z.string().optional() }),
  prompt: promptUrl("triage"),
  // Arrows, not references: a module cycle through the agent runner must not meet a binding before it is set.
  handler: (run) => triage(run),
  canned: (task) => cannedTriage(task),
});
