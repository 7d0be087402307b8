import type { StageKind } from "../config/schema.js";
import { design } from "./design.js";
import { implement } from "./implement.js";
import { review } from "./review.js";
import { triage } from "./triage.js";
import type { StageHandler } from "./types.js";

/** Stage kinds by name. Adding a kind: one module and one line here. */
export const STAGE_HANDLERS = new Map<StageKind, StageHandler>([
  ["triage", triage],
  ["design", design],
  ["implement", implement],
  ["review", review],
]);
