import { z } from "zod";
import { review as cannedReview } from "../../agents/backends/builtin.js";
import { ReviewOutput } from "../../agents/outputs.js";
import { ArtifactMeta } from "../../github/artifacts.js";
import { defineStageKind, promptUrl } from "../kind-module.js";
import { review } from "../review.js";

/** Review: judge the PR against each acceptance criterion. */
export const reviewKind = defineStageKind({
  name: "review",
  outcomes: { required: ["approved"], optional: ["needs-changes", "rejected", "gate"] },
  output: ReviewOutput,
  data: ArtifactMeta.extend({ verdict: z.string().optional() }),
  prompt: promptUrl("review"),
  handler: (run) => review(run),
  canned: (task) => cannedReview(task),
});
