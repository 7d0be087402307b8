import { KIND_OUTCOMES } from "../../config/stage-kinds.js";
import { design } from "../design.js";
import { KIND_DATA } from "../kind-data.js";
import { defineStageKind } from "../kind-module.js";

/** Design: write the spec with acceptance criteria, or judge the work too large (`split` → plan). */
export const designKind = defineStageKind({
  name: "design",
  outcomes: KIND_OUTCOMES.design,
  data: KIND_DATA.design,
  handler: (run) => design(run),
});
