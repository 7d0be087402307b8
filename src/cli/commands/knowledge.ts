import type { Command } from "commander";
import { loadKnowledge } from "../../knowledge/knowledge-index.js";
import { latestBriefing } from "../../knowledge/load-briefing.js";
import { cliRuntime, connectGitHub, openRepo } from "../connect.js";

/**
 * `baton knowledge --repo o/r [--search "text"]`: what later stages of this repository are
 * shown — the newest briefing's commit, the index's size, and the entries a search finds.
 */
export function registerKnowledge(program: Command): void {
  program
    .command("knowledge")
    .description("inspect a repository's knowledge index (lessons, specs, verdicts) and briefing; rebuilds the index from GitHub when Redis lost it")
    .requiredOption("--repo <owner/name>", "the repository")
    .option("--search <text>", "show the entries that best match this text")
    .option("--limit <n>", "how many entries to show", Number, 10)
    .action(async (options: { repo: string; search?: string; limit: number }) => {
      const probot = connectGitHub();
      const { github, repo } = await openRepo(probot, options.repo);
      const rt = cliRuntime();
      try {
        const briefing = await latestBriefing(rt, repo.repoId);
        const scout =
          briefing?.scout?.status === "summarized"
            ? `; the scout's summary by ${briefing.scout.backend}: ${briefing.scout.summary.areas.length} area(s)`
            : briefing?.scout
              ? `; the scout's pass failed: ${briefing.scout.error}`
              : "";
        console.log(
          briefing
            ? `briefing: commit ${briefing.sha.slice(0, 12)}, ${briefing.files.length} files, built ${briefing.built_at}${scout}`
            : "briefing: none cached yet (the next stage builds one)",
        );
        const { index, rebuilt } = await loadKnowledge(rt, github, repo);
        console.log(`index: ${index.size} entries${rebuilt ? " (rebuilt from GitHub just now)" : ""}`);
        if (!options.search) return;
        for (const hit of index.find(options.search, { limit: options.limit })) {
          console.log(
            `  ${hit.score.toFixed(2).padStart(6)}  ${hit.kind.padEnd(7)} #${hit.issue}  ${hit.text.split("\n")[0]?.slice(0, 100)}\n          ${hit.url}`,
          );
        }
      } finally {
        await rt.close();
      }
    });
}
