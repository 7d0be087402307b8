import { processStage } from "../../src/pipeline/process-stage.js";
import { git } from "../../sandbox/github/git.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { artifactsOf, implementedIssue, MAINTAINER, pullsOf, statusLabels } from "../helpers/sandbox-issues.js";

/** Review and the review ⇄ implement loop against the sandbox (real PRs, real git). */
describe("the review stage", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(async () => {
    await env.close();
  });

  it("approves with a verdict per criterion, posted as a COMMENT review on the PR and as an artifact", async () => {
    env.setEnv({ BATON_BUILTIN_REVIEW_VERDICT: "approved" });
    const { repo, issue } = await implementedIssue(env);

    const { result } = await env.runStage(repo, issue, "status:in-review");

    expect(result).toEqual({ action: "handed-off", outcome: "approved", label: "status:approved" });
    expect(statusLabels(issue)).toEqual(["status:approved"]);
    const [pull] = pullsOf(repo);
    expect(pull?.pull?.reviews).toHaveLength(1);
    expect(pull?.pull?.reviews[0]).toMatchObject({ event: "COMMENT" });
    const reviewBody = String(pull?.pull?.reviews[0]?.body);
    expect(reviewBody).toContain("Review: approved");
    expect(reviewBody.match(/\| ✅ pass \|/g)).toHaveLength(2);
    const [verdict] = artifactsOf(issue, "review");
    expect(verdict?.body).toContain(`[#${pull!.number}]`);
    expect(verdict?.body).toMatch(/"verdict": "approved"/);
    expect(verdict?.body).toMatch(/"criterion": ".*docs\/baton\/issue-1\.md"/);
  }, 40_000);

  it("sends needs-changes back to implement on the same branch and PR, and blocks past max_revisions", async () => {
    env.setEnv({ BATON_BUILTIN_REVIEW_VERDICT: "needs-changes" });
    const { repo, issue } = await implementedIssue(env, "stages:\n  review:\n    max_revisions: 1\n");

    const first = await env.runStage(repo, issue, "status:in-review");
    expect(first.result).toEqual({ action: "handed-off", outcome: "needs-changes", label: "status:ready" });
    const second = await env.runStage(repo, issue, "status:ready");
    expect(second.result).toEqual({ action: "handed-off", outcome: "pass", label: "status:in-review" });
    const third = await env.runStage(repo, issue, "status:in-review");

    expect(third.result).toMatchObject({ action: "blocked" });
    expect(statusLabels(issue)).toEqual(["status:blocked"]);
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"));
    expect(blocked?.body).toContain("the review asked for changes 2 times, past max_revisions (1)");
    expect(pullsOf(repo)).toHaveLength(1);
    expect(pullsOf(repo)[0]?.pull?.reviews).toHaveLength(2);
    // The revision continued the branch: two bot commits on baton/issue-1, the second with the feedback.
    const authors = (await git(repo.gitDir, ["log", "--format=%an", "main..baton/issue-1"])).trim().split("\n");
    expect(authors).toEqual(["baton-sandbox[bot]", "baton-sandbox[bot]"]);
    const file = await git(repo.gitDir, ["show", "baton/issue-1:docs/baton/issue-1.md"]);
    expect(file).toContain("## Review feedback addressed");
    expect(file).toContain("Review: needs-changes");
    const implementations = artifactsOf(issue, "implement");
    expect(implementations.map((c) => /revision=(\d+)/.exec(c.body)?.[1])).toEqual(["1", "2"]);
    expect(implementations[1]?.body).toContain("addresses the review feedback");

    // The same job run again (a stalled worker's retry) reuses its verdict and still blocks.
    env.sandbox.world.setLabels(repo, issue, ["status:reviewing"], MAINTAINER);
    expect(await processStage(env.rt, third.job)).toMatchObject({ action: "blocked" });
    expect(artifactsOf(issue, "review")).toHaveLength(2);
    expect(issue.comments.filter((c) => c.body.startsWith("<!-- baton:blocked"))).toHaveLength(1);
  }, 60_000);

  it("blocks a rejected PR with the reasons and how to resume", async () => {
    env.setEnv({ BATON_BUILTIN_REVIEW_VERDICT: "rejected" });
    const { repo, issue } = await implementedIssue(env);

    const { result } = await env.runStage(repo, issue, "status:in-review");

    expect(result).toEqual({ action: "handed-off", outcome: "rejected", label: "status:blocked" });
    expect(statusLabels(issue)).toEqual(["status:blocked"]);
    const [verdict] = artifactsOf(issue, "review");
    expect(verdict?.body).toContain("Review: rejected");
    expect(verdict?.body.match(/\| ❌ fail \|/g)).toHaveLength(2);
    expect(verdict?.body).toContain("**To resume:**");
    expect(verdict?.body).toContain("`status:ready`");
  }, 40_000);
});
