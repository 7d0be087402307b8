import type { Sandbox } from "./github/index.js";
import type { Issue } from "./github/state.js";

const OWNER = "octo-demo";
const REPO = "hello-plan";
const TIMEOUT_MS = 180_000;
const MAINTAINER = { kind: "user" as const, login: "octocat" };

const BODY = [
  "Theme support, in three parts:",
  "",
  "- [ ] Add a settings page",
  "- [ ] Add a theme toggle component",
  "- [ ] Put the toggle on the settings page (after 1)",
  "",
].join("\n");

const statusOf = (issue: Issue) => issue.labels.filter((l) => l.startsWith("status:")).join(", ") || "—";

/**
 * `npm run demo -- --plan`: a large issue becomes three sub-issues run as two batches.
 * 1. Open an issue with a three-line checklist (the third line waits for the first); apply `status:triage`.
 * 2. Print every status change of the parent and its sub-issues as it happens.
 * 3. Merge each approved sub-issue's PR as the maintainer would, which starts the next batch.
 * 4. Stop when the parent is done and closed; print its task table.
 */
export async function runPlanDemo(sandbox: Sandbox, say: (line: string) => void): Promise<number> {
  const world = sandbox.world;
  const repo = await world.createRepo(OWNER, REPO, { files: { "package.json": '{ "name": "hello-plan", "version": "1.0.0" }\n' } });
  const parent = world.createIssue(repo, { title: "Theme support for the settings page", body: BODY }, MAINTAINER);
  say(`Issue #${parent.number} "${parent.title}" opened by octocat, with a three-line checklist`);
  world.addLabels(repo, parent, ["status:triage"], MAINTAINER);
  const started = Date.now();
  const seen = new Map<number, string>();
  const merged = new Set<number>();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;

  while (!(parent.state === "closed" || parent.labels.includes("status:blocked")) && Date.now() - started < TIMEOUT_MS) {
    for (const issue of [...repo.issues.values()].filter((i) => !i.pull)) {
      const status = statusOf(issue);
      if (seen.get(issue.number) !== status) say(`${at()}  #${issue.number} ${issue.number === parent.number ? "(parent)" : issue.title}: ${status}`);
      seen.set(issue.number, status);
      const pull = [...repo.issues.values()].find((p) => p.pull?.head === `baton/issue-${issue.number}` && p.state === "open");
      if (issue.labels.includes("status:approved") && pull && !merged.has(pull.number)) {
        merged.add(pull.number);
        say(`${at()}  octocat merges PR #${pull.number} for #${issue.number}`);
        await world.mergePull(repo, pull, MAINTAINER);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  const status = parent.comments.find((c) => c.body.startsWith("<!-- baton:status -->"));
  const table = status?.body.split("#### Plan")[1]?.split("<sub>")[0]?.trim();
  say(`\nParent #${parent.number} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${parent.state}, ${statusOf(parent)}`);
  say(
    `  sub-issues ${(parent.subIssues ?? []).map((n) => `#${n}`).join(", ")} · dependencies ${[...repo.issues.values()].flatMap((i) => (i.blockedBy ?? []).map((b) => `#${i.number} after #${b}`)).join(", ")}`,
  );
  if (table) say(`\n${table}\n`);
  return parent.state === "closed" && parent.labels.includes("status:done") ? 0 : 1;
}
