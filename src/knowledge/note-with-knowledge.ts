import type { SeenKnowledge } from "../stages/types.js";

/** The status row's note plus what the agent was shown: the briefing's commit and the lessons, by link. */
export function noteWithKnowledge(note: string | undefined, seen: SeenKnowledge | undefined): string | undefined {
  if (!seen?.briefingSha) return note;
  const lessons = seen.lessons.length ? ` · lessons ${seen.lessons.map((url, i) => `[${i + 1}](${url})`).join(" ")}` : "";
  return `${note ? `${note} · ` : ""}briefing \`${seen.briefingSha.slice(0, 7)}\`${lessons}`;
}
