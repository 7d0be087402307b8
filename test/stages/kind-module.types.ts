/**
 * Type-only checks (run by `npm run typecheck`, not by jest): a stage kind missing a piece
 * does not compile.
 */
import { z } from "zod";
import { ArtifactMeta } from "../../src/github/artifacts.js";
import { defineStageKind, promptUrl } from "../../src/stages/kind-module.js";

const complete = {
  name: "plan" as const,
  outcomes: { required: ["pass"], optional: [] },
  output: z.object({ summary: z.string() }),
  data: ArtifactMeta,
  prompt: promptUrl("plan"),
  handler: async () => ({ outcome: "pass" }),
  canned: () => ({ summary: "fine" }),
};
defineStageKind(complete);

const { canned: _canned, ...withoutCanned } = complete;
// @ts-expect-error a kind without a canned builtin answer
defineStageKind(withoutCanned);

// @ts-expect-error a canned answer its own schema would refuse
defineStageKind({ ...complete, canned: () => ({ summary: 1 }) });

// @ts-expect-error a name that is not in STAGE_KINDS
defineStageKind({ ...complete, name: "deploy" as const });
