import type { StageKind } from "../config/schema.js";
import type { StageKindModule } from "./kind-module.js";
import { designKind } from "./kinds/design.js";
import { implementKind } from "./kinds/implement.js";
import { reviewKind } from "./kinds/review.js";
import { triageKind } from "./kinds/triage.js";
import { planKind } from "./plan.js";
import type { StageHandler } from "./types.js";

/**
 * Stage kinds by name, registered by hand. Adding a kind: one module (see `kind-module.ts`),
 * its name in `STAGE_KINDS` and one line here; a kind without a module, or a module without
 * a name, does not compile.
 */
function register() {
  return {
    triage: triageKind,
    design: designKind,
    implement: implementKind,
    review: reviewKind,
    plan: planKind,
  } as const satisfies { [K in StageKind]: StageKindModule<K> };
}

export type StageKindModules = ReturnType<typeof register>;
let registry: StageKindModules | undefined;

/**
 * The registry, built on first use rather than at import: the handlers import modules that
 * read it, and a cycle of imports must never meet a kind that is not defined yet.
 */
export const stageKinds = (): StageKindModules => (registry ??= register());

/** The handler of a kind. */
export const stageHandler = (kind: StageKind): StageHandler => stageKinds()[kind].handler;
