import type { Command } from "commander";
import { appIdentityOf } from "../../github/app-identity.js";
import { listComments } from "../../github/list-comments.js";
import { readStatus } from "../../github/status-comment.js";
import { connectGitHub, openRepo } from "../connect.js";

/** `baton status --repo o/r --issue N`: the issue's labels and status table, read from GitHub. */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show an issue's Baton status, read from GitHub (exit 0; 2 on a setup error)")
    .requiredOption("--repo <owner/name>", "the repository")
    .requiredOption("--issue <number>", "the issue number", Number)
    .action(async (options: { repo: string; issue: number }) => {
      const probot = connectGitHub();
      const { github, repo } = await openRepo(probot, options.repo);
      const ref = { ...repo, number: options.issue };
      const { data: issue } = await github.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number });
      const { comment, data } = readStatus(await listComments(github, ref, await appIdentityOf(() => probot.auth())()));
      console.log(`${options.repo}#${options.issue} ${issue.title}`);
      console.log(`labels: ${issue.labels.map((l) => (typeof l === "string" ? l : l.name)).join(", ") || "(none)"}`);
      if (!comment) return console.log("Baton has not worked on this issue yet.");
      for (const [stage, row] of Object.entries(data.rows)) {
        const detail = [row.backend, row.duration_ms !== undefined ? `${(row.duration_ms / 1000).toFixed(1)} s` : "", row.note].filter(Boolean).join(" · ");
        console.log(`  ${stage.padEnd(12)} ${row.state.padEnd(9)} ${detail}`);
      }
      console.log(comment.html_url);
    });
}
