/**
 * Type-only checks (run by `npm run typecheck`, not by jest): a stage kind missing a piece
 * does not compile.
 */
import { ArtifactMeta } from "../../src/github/artifacts.js";
import { KIND_OUTCOMES } from "../../src/config/stage-kinds.js";
import { defineStageKind } from "../../src/stages/kind-module.js";

const complete = {
  name: "plan" as const,
  outcomes: KIND_OUTCOMES.plan,
  data: ArtifactMeta,
  handler: async () => ({ outcome: "pass" }),
};
defineStageKind(complete);

const { handler: _handler, ...withoutHandler } = complete;
// @ts-expect-error a kind without a handler
defineStageKind(withoutHandler);

// @ts-expect-error a name that is not in STAGE_KINDS
defineStageKind({ ...complete, name: "deploy" as const });
