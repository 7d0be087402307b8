import type { SeenKnowledge } from "../stages/types.js";
import { usd } from "./check-budget.js";

/** The status row's note plus what the agent was shown: the briefing's commit (and its scout's pass), and the lessons, by link. */
export function noteWithKnowledge(note: string | undefined, seen: SeenKnowledge | undefined): string | undefined {
  if (!seen?.briefingSha) return note;
  const lessons = seen.lessons.length ? ` · lessons ${seen.lessons.map((url, i) => `[${i + 1}](${url})`).join(" ")}` : "";
  const cost = seen.scoutUsage?.cost_usd ? `, paid here: ${usd(seen.scoutUsage.cost_usd)}` : "";
  const scout =
    seen.scout === "summarized" ? ` (with the scout's summary${cost})` : seen.scout === "failed" ? " (the scout's pass failed: deterministic only)" : "";
  return `${note ? `${note} · ` : ""}briefing \`${seen.briefingSha.slice(0, 7)}\`${scout}${lessons}`;
}
