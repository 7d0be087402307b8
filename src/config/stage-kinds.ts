import type { StageKind } from "./schema.js";

/**
 * The outcomes each stage kind ends with: `required` ones need a `next` label, `optional`
 * ones may have one. The config validator checks `next:` against these; the kinds' handlers
 * (src/stages) end with them.
 */
export const KIND_OUTCOMES = {
  triage: { required: ["pass"], optional: ["needs-info", "gate"] },
  design: { required: ["pass"], optional: ["gate", "split"] },
  implement: { required: ["pass"], optional: ["gate"] },
  review: { required: ["approved"], optional: ["needs-changes", "rejected", "gate"] },
  plan: { required: ["pass"], optional: ["needs-info", "gate"] },
} as const satisfies { [K in StageKind]: { required: readonly string[]; optional: readonly string[] } };
