/**
 * Type-only checks (run by `npm run typecheck`, not by jest): a stage kind missing a piece
 * does not compile.
 */
import { z } from "zod";
import { ArtifactMeta } from "../../src/github/artifacts.js";
import { defineStageKind, promptUrl } from "../../src/stages/kind-module.js";

const Output = z.object({ summary: z.string() });

defineStageKind({
  name: "plan",
  outcomes: { required: ["pass"], optional: [] },
  output: Output,
  data: ArtifactMeta,
  prompt: promptUrl("plan"),
  handler: async () => ({ outcome: "pass" }),
  canned: () => ({ summary: "fine" }),
});

// @ts-expect-error a kind without a canned builtin answer
defineStageKind({ name: "plan", outcomes: { required: ["pass"], optional: [] }, output: Output, data: ArtifactMeta, prompt: promptUrl("plan"), handler: async () => ({ outcome: "pass" }) });

defineStageKind({
  name: "plan",
  outcomes: { required: ["pass"], optional: [] },
  output: Output,
  data: ArtifactMeta,
  prompt: promptUrl("plan"),
  handler: async () => ({ outcome: "pass" }),
  // @ts-expect-error a canned answer its own schema would refuse
  canned: () => ({ summary: 1 }),
});

defineStageKind({
  // @ts-expect-error a name that is not in STAGE_KINDS
  name: "deploy",
  outcomes: { required: ["pass"], optional: [] },
  output: Output,
  data: ArtifactMeta,
  prompt: promptUrl("plan"),
  handler: async () => ({ outcome: "pass" }),
  canned: () => ({ summary: "fine" }),
});
