import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { readSources } from "../stages/agent-files.js";
import type { Briefing } from "./briefing.js";
import { rankFiles } from "./build-briefing.js";

/** About four characters a token: close enough to keep a prompt inside its budget. */
const CHARS_PER_TOKEN = 4;

/**
 * The text of `paths`, in order, as many as fit in `tokens` (a file too large for what is
 * left is skipped), for agents that cannot read the checkout. Repository text is untrusted:
 * sanitised like issue text.
 */
export async function filesWithin(dir: string, paths: string[], tokens: number): Promise<{ paths: string[]; rendered: string }> {
  let budget = tokens * CHARS_PER_TOKEN;
  const shown: string[] = [];
  const parts: string[] = [];
  for (const path of paths) {
    const part = sanitizeUntrusted(await readSources(dir, [path]));
    if (part.length > budget) continue;
    budget -= part.length;
    shown.push(path);
    parts.push(part);
  }
  return { paths: shown, rendered: parts.join("\n\n") };
}

/** The text of the files most related to `text`, best first, as many as fit in `tokens`. */
export async function relevantFiles(dir: string, briefing: Briefing, text: string, tokens: number): Promise<{ paths: string[]; rendered: string }> {
  return filesWithin(
    dir,
    rankFiles(briefing, text, 20).map((f) => f.path),
    tokens,
  );
}
