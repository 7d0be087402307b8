import { z } from "zod";
import { design as cannedDesign } from "../../agents/backends/builtin.js";
import { DesignOutput } from "../../agents/outputs.js";
import { ArtifactMeta } from "../../github/artifacts.js";
import { design } from "../design.js";
import { defineStageKind, promptUrl } from "../kind-module.js";
import { hasChecklist } from "../plan/canned-plan.js";

/** Design: write the spec with acceptance criteria, or judge the work too large (`split` → plan). */
export const designKind = defineStageKind({
  name: "design",
  outcomes: { required: ["pass"], optional: ["gate", "split"] },
  output: DesignOutput,
  data: ArtifactMeta.extend({ acceptance_criteria: z.array(z.string()).default([]), files: z.array(z.string()).default([]) }),
  prompt: promptUrl("design"),
  handler: (run) => design(run),
  // The builtin design proposes a split exactly when the issue has a `- [ ] ` checklist.
  canned: (task) => ({ ...cannedDesign(task), split: hasChecklist(task) }),
});
