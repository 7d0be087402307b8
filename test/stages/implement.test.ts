import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "bullmq";
import type { StageJob } from "../../src/pipeline/job-data.js";
import { processStage } from "../../src/pipeline/process-stage.js";
import { git } from "../../sandbox/github/git.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";

/** The implement stage against the sandbox: real clone, branch, commit, push and PR. */
describe("the implement stage", () => {
  let env: SandboxRuntime;
  let scratch: string;
  beforeEach(async () => {
    env = await createSandboxRuntime();
    scratch = await mkdtemp(join(tmpdir(), "baton-implement-test-"));
  });
  afterEach(async () => {
    await env.close();
    await rm(scratch, { recursive: true, force: true });
  });

  async function designedIssue(config: string): Promise<{ repo: Repo; issue: Issue }> {
    const repo = await env.sandbox.world.createRepo("impl-org", "app", { files: { ".github/baton.yml": config } });
    const issue = env.sandbox.world.createIssue(
      repo,
      { title: "Add a dark mode toggle", body: "A toggle on the settings page that switches to a dark theme." },
      { kind: "user", login: "octocat" },
    );
    env.sandbox.world.addLabels(repo, issue, ["status:triage"], { kind: "user", login: "octocat" });
    await env.runStage(repo, issue, "status:triage");
    await env.runStage(repo, issue, "status:triaged");
    expect(issue.labels).toContain("status:ready");
    return { repo, issue };
  }

  it("clones, commits as the bot and pushes the change on baton/issue-<n>, with the token nowhere in .git/config or the logs", async () => {
    // Pre-flight can write only the checkout (it runs in the sandbox): what it saw is pushed.
    const { repo, issue } = await designedIssue(`stages:\n  implement:\n    preflight: ["cp .git/config git-config-seen", "test -f docs/baton/issue-1.md"]\n`);

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toEqual({ action: "handed-off", outcome: "pass", label: "status:in-review" });
    const tree = await git(repo.gitDir, ["ls-tree", "-r", "--name-only", "baton/issue-1"]);
    expect(tree).toContain("docs/baton/issue-1.md");
    expect(await git(repo.gitDir, ["log", "-1", "--format=%an", "baton/issue-1"])).toContain("baton-sandbox[bot]");
    expect(await git(repo.gitDir, ["ls-tree", "-r", "--name-only", "main"])).not.toContain("docs/baton");
    const config = await git(repo.gitDir, ["show", "baton/issue-1:git-config-seen"]);
    const tokens = [...env.sandbox.world.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(config).not.toContain(token);
      expect(env.logs.join("\n")).not.toContain(token);
      expect(issue.comments.map((c) => c.body).join("\n")).not.toContain(token);
    }
    expect(config.toLowerCase()).not.toContain("extraheader");
    expect(config).not.toMatch(/https?:\/\/[^/\s]*@/);
    const pull = [...repo.issues.values()].find((i) => i.pull)!;
    expect(pull.pull?.head).toBe("baton/issue-1");
    expect(pull.body).toContain("Closes #1");
    expect(pull.body).toMatch(/- \[ \] .+docs\/baton\/issue-1\.md/);
    expect(pull.body).toContain("`test -f docs/baton/issue-1.md` | ✅ passed");
    expect(pull.labels).toEqual(["baton"]);
  }, 30_000);

  it("sends a failing pre-flight back to the agent with its output, then blocks with the command and its tail", async () => {
    const { repo, issue } = await designedIssue(
      `stages:\n  implement:\n    max_preflight_retries: 1\n    preflight: ["echo checking; echo boom-output >&2; exit 3"]\n`,
    );

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toMatchObject({ action: "blocked" });
    expect(issue.labels).toContain("status:blocked");
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))!;
    expect(blocked.body).toContain("still fails after 2 attempt(s) (exit 3)");
    expect(blocked.body).toContain("boom-output");
    expect([...repo.issues.values()].filter((i) => i.pull)).toHaveLength(0);
    expect(env.logs.filter((l) => l.includes("pre-flight failed: back to the agent"))).toHaveLength(1);
  }, 30_000);

  it("opens one PR even when the job runs twice", async () => {
    const { repo, issue } = await designedIssue("stages:\n  implement:\n    preflight: []\n");
    // The first attempt pushes and opens the PR, then fails to post its artifact.
    env.sandbox.faults.failNext(10, { method: "POST", path: "/issues/1/comments$", status: 502 });
    await expect(env.runStage(repo, issue, "status:ready")).rejects.toThrow("Server Error");
    env.sandbox.faults.clear();
    expect([...repo.issues.values()].filter((i) => i.pull)).toHaveLength(1);
    // BullMQ runs the same job again after the backoff.
    const job = (await env.rt.queues.stages.get("implement")!.getJob(`r${repo.id}-1-implement-3`)) as Job<StageJob>;
    job.attemptsMade = 1;

    const second = await processStage(env.rt, job);

    expect(second).toEqual({ action: "handed-off", outcome: "pass", label: "status:in-review" });
    expect([...repo.issues.values()].filter((i) => i.pull)).toHaveLength(1);
    expect(issue.comments.filter((c) => c.body.startsWith("<!-- baton:artifact stage=implement"))).toHaveLength(1);
    expect((await git(repo.gitDir, ["rev-list", "--count", "main..baton/issue-1"])).trim()).toBe("1");
  }, 30_000);
});
