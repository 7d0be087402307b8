import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { git } from "../../sandbox/github/git.js";
import { cloneCacheFor } from "../../src/knowledge/read-only-checkout.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, artifactsOf, statusLabels } from "../helpers/sandbox-issues.js";
import { CODE_AGENT, CODE_AGENT_ENV, FRENCH_ISSUE, GREET_FILES, frenchIssueIn, pushFiles } from "../helpers/greeter-repo.js";

const run = promisify(execFile);

/** The stages of one process share one clone per (repository, commit): src/knowledge/clone-cache.ts. */
describe("the clone cache of read-only checkouts", () => {
  let env: SandboxRuntime;
  afterEach(async () => {
    await env.close();
  });

  const cacheOf = (e: SandboxRuntime) => cloneCacheFor(e.rt.env);
  const headOf = async (gitDir: string) => (await git(gitDir, ["rev-parse", "main"])).trim();

  async function greeterWithIssues(count: number) {
    const repo = await env.sandbox.world.createRepo("acme", "greeter", { files: GREET_FILES });
    const issues = Array.from({ length: count }, (_, i) =>
      env.sandbox.world.createIssue(repo, { ...FRENCH_ISSUE, title: `${FRENCH_ISSUE.title} (${i + 1})` }, MAINTAINER),
    );
    for (const issue of issues) env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
    return { repo, issues };
  }

  it("clones a commit once for stages that ask for it at the same time, and again after a push, removing the old commit", async () => {
    env = await createSandboxRuntime();
    const { repo, issues } = await greeterWithIssues(3);
    const [first, second, third] = issues as [(typeof issues)[0], (typeof issues)[0], (typeof issues)[0]];

    const results = await Promise.all([env.runStage(repo, first, "status:triage"), env.runStage(repo, second, "status:triage")]);
    expect(results.map((r) => r.result.action)).toEqual(["handed-off", "handed-off"]);
    const cache = cacheOf(env);
    expect(cache.counts()).toEqual({ cloned: 1, reused: 1 });
    const head = await headOf(repo.gitDir);
    const [kept] = cache.held();
    expect(cache.held()).toEqual([expect.objectContaining({ sha: head, holders: 0 })]);
    expect(await readdir(await cache.directory())).toHaveLength(1);
    expect(await readFile(join(kept!.dir, "src/greet.js"), "utf8")).toBe(GREET_FILES["src/greet.js"]);

    // Later stages on the same commit reuse the clone on disk.
    await env.runStage(repo, first, "status:triaged");
    expect(cache.counts()).toEqual({ cloned: 1, reused: 2 });

    await pushFiles(repo, { "src/greet.js": "export const greet = (name) => `Hi, ${name}!`;\n" });
    const after = await headOf(repo.gitDir);
    expect(after).not.toBe(head);
    // Within BATON_HEAD_FRESH (10 s) of the last lookup, a stage takes the head it named: no `git ls-remote`, the same clone.
    await env.runStage(repo, second, "status:triaged");
    expect(cache.counts()).toEqual({ cloned: 1, reused: 3 });
    expect(cache.held()).toEqual([expect.objectContaining({ sha: head })]);

    // Once the window is over (here: no window), the next stage looks the head up and clones the pushed commit.
    env.setEnv({ BATON_HEAD_FRESH: "0ms" });
    await env.runStage(repo, third, "status:triage");
    expect(cache.counts()).toEqual({ cloned: 2, reused: 3 });
    expect(cache.held()).toEqual([expect.objectContaining({ sha: after })]);
    expect(existsSync(kept!.dir)).toBe(false);
    expect(await readdir(await cache.directory())).toHaveLength(1);
    expect(statusLabels(third)).toEqual(["status:triaged"]);
  }, 60_000);

  it("keeps nothing once no stage holds a clone when BATON_CLONE_CACHE_MB=0", async () => {
    env = await createSandboxRuntime({ BATON_CLONE_CACHE_MB: "0" });
    const { repo, issues } = await greeterWithIssues(1);

    await env.runStage(repo, issues[0]!, "status:triage");
    await env.runStage(repo, issues[0]!, "status:triaged");

    expect(statusLabels(issues[0]!)).toEqual(["status:ready"]);
    expect(cacheOf(env).counts()).toEqual({ cloned: 2, reused: 0 });
    expect(cacheOf(env).held()).toEqual([]);
    expect(await readdir(await cacheOf(env).directory())).toEqual([]);
  }, 60_000);

  it("gives a sandboxed CLI agent a copy without .git, from which the cached clone cannot be reached or written", async () => {
    env = await createSandboxRuntime(CODE_AGENT_ENV);
    env.setEnv({ BATON_AGENT_COMMAND: CODE_AGENT });
    env.setEnv({ CODE_AGENT_WRITE: "1" });
    const { repo, issue } = await frenchIssueIn(env, "defaults:\n  agent: { backend: command }\n");
    // The first stage puts the commit in the cache; the second one's agent goes after it.
    await env.runStage(repo, issue, "status:triage");
    const cache = cacheOf(env);
    const [clone] = cache.held();
    env.setEnv({ CODE_AGENT_PLANT_IN: [await cache.directory(), clone!.dir, join(clone!.dir, ".git")].join(",") });

    await env.runStage(repo, issue, "status:triaged");

    expect(artifactsOf(issue, "triage").at(-1)?.body).toContain("git_dir=false");
    expect(artifactsOf(issue, "design").at(-1)?.body).toContain("Wrote: nothing");
    const output = env.logs.join("");
    for (const dir of [await cache.directory(), clone!.dir, join(clone!.dir, ".git")]) expect(output).toContain(`could not list ${dir}: ENOENT`);
    expect(cache.counts()).toEqual({ cloned: 1, reused: 1 });
    expect((await run("git", ["-C", clone!.dir, "status", "--porcelain", "--ignored"])).stdout).toBe("");
    expect(existsSync(join(clone!.dir, ".git", "planted.txt"))).toBe(false);
    expect(await readFile(join(clone!.dir, "src/greet.js"), "utf8")).toBe(GREET_FILES["src/greet.js"]);
  }, 60_000);
});
