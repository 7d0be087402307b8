import { KIND_OUTCOMES } from "../../config/stage-kinds.js";
import { KIND_DATA } from "../kind-data.js";
import { defineStageKind } from "../kind-module.js";
import { review } from "../review.js";

/** Review: judge the PR against each acceptance criterion. */
export const reviewKind = defineStageKind({
  name: "review",
  outcomes: KIND_OUTCOMES.review,
  data: KIND_DATA.review,
  handler: (run) => review(run),
});
