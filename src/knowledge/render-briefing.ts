import type { Briefing } from "./briefing.js";

/** The briefing as a prompt section: layout, stack, commands, conventions (already sanitised). */
export function renderBriefing(briefing: Briefing): string {
  const lines = [`Repository ${briefing.repo} at commit ${briefing.sha.slice(0, 12)} (${briefing.files.length} files).`, "", "### Layout", ""];
  for (const d of briefing.layout) {
    const about = [d.languages.join(", "), d.holds.length ? `about: ${d.holds.join(", ")}` : ""].filter(Boolean).join("; ");
    lines.push(`- \`${d.dir}\` — ${d.files} file(s)${about ? `; ${about}` : ""}${d.key_files.length ? `; key files: ${d.key_files.map((f) => `\`${f}\``).join(", ")}` : ""}`);
  }
  lines.push("", "### Stack", "", `Languages: ${briefing.languages.map((l) => `${l.name} (${l.files})`).join(", ") || "unknown"}.`);
  if (briefing.frameworks.length) lines.push(`Frameworks and tools: ${briefing.frameworks.join(", ")}.`);
  lines.push("", "### Build and test", "");
  if (briefing.commands.length) for (const c of briefing.commands) lines.push(`- \`${c.name}\` (${c.source}): \`${c.run.replace(/`/g, "'")}\``);
  else lines.push("- No build or test commands found (no package.json scripts, Makefile or CI workflow).");
  for (const c of briefing.conventions) lines.push("", `### Conventions: ${c.path}`, "", "````text", c.text.replace(/````/g, "'''"), "````");
  return lines.join("\n");
}
