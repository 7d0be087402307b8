import type { z } from "zod";
import type { StageKind } from "../config/schema.js";
import type { StageKindModule } from "./kind-module.js";
import { designKind } from "./kinds/design.js";
import { implementKind } from "./kinds/implement.js";
import { reviewKind } from "./kinds/review.js";
import { triageKind } from "./kinds/triage.js";
import type { StageHandler } from "./types.js";

/**
 * Stage kinds by name, registered by hand. Adding a kind: one module (see `kind-module.ts`),
 * its name in `STAGE_KINDS` and one line here; a kind without a module, or a module without
 * a name, does not compile. Modules in the agent runner's import chain read this with a
 * dynamic `import()` so the cycle through the handlers never meets an unset binding.
 */
export const STAGE_KIND_MODULES = {
  triage: triageKind,
  design: designKind,
  implement: implementKind,
  review: reviewKind,
} as const satisfies { [K in StageKind]: StageKindModule<K> };

/** The answer schema of a kind's agent, by kind. */
export type KindOutput<K extends StageKind> = z.infer<(typeof STAGE_KIND_MODULES)[K]["output"]>;

export const STAGE_HANDLERS = new Map<StageKind, StageHandler>(Object.values(STAGE_KIND_MODULES).map((m) => [m.name, m.handler]));
