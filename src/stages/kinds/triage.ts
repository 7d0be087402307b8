import { KIND_OUTCOMES } from "../../config/stage-kinds.js";
import { KIND_DATA } from "../kind-data.js";
import { defineStageKind } from "../kind-module.js";
import { triage } from "../triage.js";

/** Triage: classify the issue and write a brief (code in ../triage.ts and the builtin backend). */
export const triageKind = defineStageKind({
  name: "triage",
  outcomes: KIND_OUTCOMES.triage,
  data: KIND_DATA.triage,
  // Arrows, not references: a module cycle through the agent runner must not meet a binding before it is set.
  handler: (run) => triage(run),
});
