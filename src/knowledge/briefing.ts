import { z } from "zod";
import { ScoutOutput } from "../agents/outputs.js";
import { Usage } from "../agents/types.js";

/** One file of the repository as the briefing keeps it: enough to rank it, not its text. */
export const BriefedFile = z.object({
  path: z.string(),
  /** Git blob id: an unchanged blob keeps its terms when the briefing is rebuilt for a new commit. */
  blob: z.string(),
  size: z.number().int().min(0),
  /** The file's most frequent words (path included); empty for binary or very large files. */
  terms: z.array(z.string()),
});
export type BriefedFile = z.infer<typeof BriefedFile>;

/**
 * What the scout's agent pass left in a briefing (`scout.ts`): its summary (sanitised, paths
 * checked against the tree), or why there is none. Either way the pass is not run again for
 * this commit: its cost is paid once.
 */
export const ScoutPass = z.discriminatedUnion("status", [
  z.object({ status: z.literal("summarized"), backend: z.string(), model: z.string().optional(), usage: Usage, summary: ScoutOutput }),
  z.object({ status: z.literal("failed"), backend: z.string().optional(), error: z.string() }),
]);
export type ScoutPass = z.infer<typeof ScoutPass>;

/**
 * The scout's briefing of a repository at one commit (built by a deterministic pass, see
 * `build-briefing.ts`, and, when `scout:` is configured, an agent pass, see `scout.ts`).
 * Repository text in it (conventions files, commands, the agent's summary) is untrusted and
 * already sanitised.
 */
export const Briefing = z.object({
  repo: z.string(),
  sha: z.string(),
  built_at: z.string(),
  /** The commit whose briefing this one was rebuilt from, and how many files had changed. */
  from_sha: z.string().optional(),
  changed_files: z.number().int().min(0),
  layout: z.array(
    z.object({ dir: z.string(), files: z.number().int(), languages: z.array(z.string()), holds: z.array(z.string()), key_files: z.array(z.string()) }),
  ),
  languages: z.array(z.object({ name: z.string(), files: z.number().int() })),
  frameworks: z.array(z.string()),
  commands: z.array(z.object({ source: z.string(), name: z.string(), run: z.string() })),
  conventions: z.array(z.object({ path: z.string(), text: z.string() })),
  files: z.array(BriefedFile),
  /** The agent pass; absent when `scout:` was not configured when the briefing was built. */
  scout: ScoutPass.optional(),
});
export type Briefing = z.infer<typeof Briefing>;
