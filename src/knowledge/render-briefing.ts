import type { ScoutOutput } from "../agents/outputs.js";
import type { Briefing } from "./briefing.js";

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** The scout's summary, marked as what an agent found reading the code (data, like the rest). */
function renderScout(summary: ScoutOutput): string[] {
  const lines = ["### What the scout found reading the code", "", summary.summary, "", "Areas:", ...summary.areas.map((a) => `- ${code(a.path)} — ${a.holds}`)];
  if (summary.commands.length) lines.push("", "Build and test:", ...summary.commands.map((c) => `- ${c.name}: ${code(c.run)}`));
  if (summary.conventions.length) lines.push("", "Conventions:", ...summary.conventions.map((c) => `- ${c}`));
  if (summary.pitfalls.length) lines.push("", "Pitfalls:", ...summary.pitfalls.map((p) => `- ${p}`));
  return lines;
}

/** The briefing as a prompt section: layout, stack, commands, conventions, the scout's summary (already sanitised). */
export function renderBriefing(briefing: Briefing): string {
  const lines = [`Repository ${briefing.repo} at commit ${briefing.sha.slice(0, 12)} (${briefing.files.length} files).`, "", "### Layout", ""];
  for (const d of briefing.layout) {
    const about = [d.languages.join(", "), d.holds.length ? `about: ${d.holds.join(", ")}` : ""].filter(Boolean).join("; ");
    lines.push(
      `- \`${d.dir}\` — ${d.files} file(s)${about ? `; ${about}` : ""}${d.key_files.length ? `; key files: ${d.key_files.map((f) => `\`${f}\``).join(", ")}` : ""}`,
    );
  }
  lines.push("", "### Stack", "", `Languages: ${briefing.languages.map((l) => `${l.name} (${l.files})`).join(", ") || "unknown"}.`);
  if (briefing.frameworks.length) lines.push(`Frameworks and tools: ${briefing.frameworks.join(", ")}.`);
  lines.push("", "### Build and test", "");
  if (briefing.commands.length) for (const c of briefing.commands) lines.push(`- \`${c.name}\` (${c.source}): ${code(c.run)}`);
  else lines.push("- No build or test commands found (no package.json scripts, Makefile or CI workflow).");
  for (const c of briefing.conventions) lines.push("", `### Conventions: ${c.path}`, "", "````text", c.text.replace(/````/g, "'''"), "````");
  if (briefing.scout?.status === "summarized") lines.push("", ...renderScout(briefing.scout.summary));
  return lines.join("\n");
}
