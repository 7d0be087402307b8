import { KIND_OUTCOMES } from "../../config/stage-kinds.js";
import { implement } from "../implement.js";
import { KIND_DATA } from "../kind-data.js";
import { defineStageKind } from "../kind-module.js";

/** Implement: turn the spec into a pull request. */
export const implementKind = defineStageKind({
  name: "implement",
  outcomes: KIND_OUTCOMES.implement,
  data: KIND_DATA.implement,
  handler: (run) => implement(run),
});
