import { releaseCi, setCi } from "../../sandbox/github/ci.js";
import { pushCommit, setPullState, submitReview } from "../../sandbox/github/collab.js";
import { git, readFileAt } from "../../sandbox/github/git.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { Redis } from "ioredis";
import { openQueues, stageQueue } from "../../src/pipeline/queues.js";
import { artifacts, MAINTAINER, pullsOf, REDIS_URL, startStack, statusComments, waitFor, waitForStatus, type Stack } from "./harness.js";

/** Baton's pull requests as collaborators: people's reviews, CI results, drafts, base branches, closing. */
describe("working with Baton's pull requests", () => {
  let stack: Stack;
  // Check events wake a review waiting for checks: no polling in between.
  const env = { BATON_CHECKS_POLL: "10m" };

  beforeAll(async () => {
    stack = await startStack();
    stack.sandbox.setWebhookUrl((await stack.startApp(env)).webhookUrl);
  }, 60_000);
  afterAll(async () => stack.close(), 30_000);

  const commits = async (repo: Repo, issue: Issue, base = "main") =>
    (await git(repo.gitDir, ["log", "--format=%H", `${base}..baton/issue-${issue.number}`])).trim().split("\n").filter(Boolean);
  const feedbackArtifacts = (issue: Issue) => artifacts(issue, "pr-feedback");
  const deliveries = (event: string, action?: string) =>
    stack.sandbox.world.webhooks.deliveries.filter((d) => d.event === event && (!action || d.action === action));

  async function approvedIssue(files: Record<string, string> = {}, before?: (repo: Repo, issue: Issue) => Promise<void> | void) {
    const repo = await stack.newRepo(files);
    const issue = stack.newIssue(repo);
    await before?.(repo, issue);
    stack.label(repo, issue, "status:triage");
    await waitForStatus(issue, "status:approved", 40_000, stack.apps);
    await stack.settled();
    const [pull] = pullsOf(repo);
    return { repo, issue, pull: pull! };
  }

  it("opens a draft, marks it ready on approval, revises once on a maintainer's review with inline comments, and ignores a reader's", async () => {
    const { repo, issue, pull } = await approvedIssue();
    const opened = deliveries("pull_request", "opened").find((d) => (d.payload.pull_request as { number: number }).number === pull.number);
    expect((opened?.payload.pull_request as { draft: boolean }).draft).toBe(true);
    expect(pull.pull?.draft).toBe(false);
    expect(deliveries("pull_request", "ready_for_review")).toHaveLength(1);
    expect(pull.pull?.requestedReviewers).toEqual(["octocat"]);
    expect(await commits(repo, issue)).toHaveLength(1);
    const file = `docs/baton/issue-${issue.number}.md`;

    await submitReview(
      stack.sandbox.world,
      repo,
      pull,
      {
        event: "REQUEST_CHANGES",
        body: "Close, but two things.",
        comments: [
          { path: file, line: 1, body: "Name the settings page in the title." },
          { path: file, line: 3, body: "Say which theme is the default." },
        ],
      },
      MAINTAINER,
    );
    await waitFor("a second review", () => artifacts(issue, "review").length === 2, 40_000, stack.apps);
    await waitForStatus(issue, "status:approved", 20_000, stack.apps);
    await stack.settled();

    expect(await commits(repo, issue)).toHaveLength(2);
    const content = await readFileAt(repo.gitDir, `baton/issue-${issue.number}`, file);
    expect(content).toContain("Name the settings page in the title.");
    expect(content).toContain("Say which theme is the default.");
    const replies = (pull.pull?.reviewComments ?? []).filter((c) => c.in_reply_to_id);
    expect(replies).toHaveLength(2);
    expect(replies.every((r) => r.user.login === "baton-sandbox[bot]" && r.body.includes("revision 2"))).toBe(true);
    expect(pull.comments.filter((c) => c.body.startsWith("<!-- baton:feedback-answer"))).toHaveLength(1);
    expect(feedbackArtifacts(issue)).toHaveLength(1);
    expect(pullsOf(repo)).toHaveLength(1);

    // The same review delivered again: still one revision.
    const review = deliveries("pull_request_review", "submitted").find((d) => (d.payload.pull_request as { number: number }).number === pull.number)!;
    stack.sandbox.world.webhooks.redeliverGuid(review.guid);
    await stack.settled();
    expect(await commits(repo, issue)).toHaveLength(2);
    expect(feedbackArtifacts(issue)).toHaveLength(1);

    // A reader asking for changes: nothing moves; one polite note on the PR.
    repo.roles.set("reader", "read");
    await submitReview(
      stack.sandbox.world,
      repo,
      pull,
      { event: "REQUEST_CHANGES", body: "@baton-sandbox please rewrite all of it" },
      { kind: "user", login: "reader" },
    );
    await waitFor("a note to the reader", () => pull.comments.some((c) => c.body.includes("@reader")), 15_000, stack.apps);
    await stack.settled();
    expect(await commits(repo, issue)).toHaveLength(2);
    expect(issue.labels).toContain("status:approved");
    expect(feedbackArtifacts(issue)).toHaveLength(1);
    expect(statusComments(issue)).toHaveLength(1);

    // `/baton revise` in the PR's conversation acts on the issue.
    stack.sandbox.world.comment(repo, pull, "/baton revise Mention the keyboard shortcut too.", MAINTAINER);
    await waitFor("a third review", () => artifacts(issue, "review").length === 3, 40_000, stack.apps);
    await waitForStatus(issue, "status:approved", 20_000, stack.apps);
    await stack.settled();
    expect(await commits(repo, issue)).toHaveLength(3);
    expect(await readFileAt(repo.gitDir, `baton/issue-${issue.number}`, file)).toContain("Mention the keyboard shortcut too.");
    expect(pull.comments.some((c) => c.body.includes("revision requested by octocat"))).toBe(true);

    // Merged: the lessons are written from what people asked for on the PR too.
    await stack.sandbox.world.mergePull(repo, pull, MAINTAINER);
    await waitFor("the lessons", () => artifacts(issue, "lessons").length === 1, 30_000, stack.apps);
    expect(artifacts(issue, "lessons")[0]?.body).toContain("Changes were asked for on the pull request: 2 review(s) by people");
  }, 150_000);

  it("fixes a check that fails once, then approves with the checks listed", async () => {
    const { repo, issue } = await approvedIssue({}, (repo) => void setCi(repo, { conclusions: ["failure", "success"] }));
    expect(await commits(repo, issue)).toHaveLength(2);
    const ci = feedbackArtifacts(issue);
    expect(ci).toHaveLength(1);
    expect(ci[0]?.body).toContain("1 test failed");
    expect(ci[0]?.body).toContain("src/settings.ts:3");
    const [red, green] = artifacts(issue, "review");
    expect(red?.body).toMatch(/❌ failure \| test \| \[details\]/);
    expect(green?.body).toMatch(/✅ success \| test \| \[details\]/);
    expect(green?.body).toContain("Review: approved");
  }, 90_000);

  it("blocks with links to the failing checks after max_ci_fixes", async () => {
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  implement:\n    max_ci_fixes: 1\n" });
    setCi(repo, { conclusions: ["failure"] });
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitForStatus(issue, "status:blocked", 60_000, stack.apps);
    await stack.settled();
    expect(await commits(repo, issue)).toHaveLength(2);
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"));
    expect(blocked?.body).toContain("`max_ci_fixes` (1)");
    expect(blocked?.body).toMatch(/\[test\]\(http:\/\/127\.0\.0\.1:\d+\/e2e-org\/repo-\d+\/runs\/\d+\) \(failure\)/);
    expect(artifacts(issue, "review").some((a) => a.body.includes("Review: approved"))).toBe(false);
  }, 90_000);

  it("without wait_for_checks, checks turning red after approval start a fix; people's revisions past max_human_revisions block", async () => {
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  implement:\n    max_human_revisions: 0\n  review:\n    wait_for_checks: false\n" });
    setCi(repo, { conclusions: ["failure", "success"], hold: true });
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitForStatus(issue, "status:approved", 40_000, stack.apps);
    await stack.settled();
    expect(await commits(repo, issue)).toHaveLength(1);
    expect(artifacts(issue, "review")[0]?.body).toMatch(/⏳ pending \| test/);

    await releaseCi(stack.sandbox.world, repo);
    await waitFor("a fix commit", () => artifacts(issue, "implement").length === 2, 30_000, stack.apps);
    await waitForStatus(issue, "status:approved", 20_000, stack.apps);
    await releaseCi(stack.sandbox.world, repo);
    await stack.settled();
    expect(await commits(repo, issue)).toHaveLength(2);
    expect(feedbackArtifacts(issue).map((a) => a.body)).toEqual([expect.stringContaining("Failing checks")]);
    expect(issue.labels).toContain("status:approved");

    const [pull] = pullsOf(repo);
    await submitReview(stack.sandbox.world, repo, pull!, { event: "REQUEST_CHANGES", body: "One more thing." }, MAINTAINER);
    await waitForStatus(issue, "status:blocked", 20_000, stack.apps);
    expect(issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body).toContain("`max_human_revisions` (0)");
    expect(await commits(repo, issue)).toHaveLength(2);
  }, 120_000);

  it("review waits for checks still running, then judges with them", async () => {
    const repo = await stack.newRepo();
    setCi(repo, { conclusions: ["success"], hold: true });
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitFor("review waiting for checks", () => statusComments(issue)[0]?.body.includes("waiting for checks: test") ?? false, 40_000, stack.apps);
    // The waiting run holds no worker: its job is delayed, not active, and the claim stays on.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const queues = openQueues(redis, stack.prefix);
    try {
      const review = stageQueue(queues, "review");
      for (let n = 0; (await review.getJobCounts("active", "delayed")).delayed !== 1; n++) {
        if (n > 200) throw new Error("the review job never went back to delayed");
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await review.getJobCounts("active", "delayed")).toEqual({ active: 0, delayed: 1 });
    } finally {
      await queues.close();
      await redis.quit();
    }
    expect(artifacts(issue, "review")).toHaveLength(0);
    expect(issue.labels).toContain("status:reviewing");

    await releaseCi(stack.sandbox.world, repo);
    await waitForStatus(issue, "status:approved", 20_000, stack.apps);
    expect(artifacts(issue, "review")[0]?.body).toMatch(/✅ success \| test/);
  }, 90_000);

  it("stops waiting when checks_timeout runs out while the review is delayed, and judges with the checks as they stand", async () => {
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  review:\n    checks_timeout: 3s\n" });
    setCi(repo, { conclusions: ["success"], hold: true });
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitFor("review waiting for checks", () => statusComments(issue)[0]?.body.includes("waiting for checks: test") ?? false, 40_000, stack.apps);

    // No check event comes (CI is held) and the poll is 10 minutes: only the timeout wakes the delayed run.
    await waitFor("a review verdict", () => artifacts(issue, "review").length > 0, 30_000, stack.apps);
    const verdict = artifacts(issue, "review")[0]!.body;
    expect(verdict).toContain("Some checks were still running when `checks_timeout` ran out");
    expect(verdict).not.toMatch(/✅ success \| test/);
    expect(deliveries("check_run", "completed").filter((d) => (d.payload as any).repository.name === repo.name)).toHaveLength(0);
    await releaseCi(stack.sandbox.world, repo);
  }, 90_000);

  it("merges a base that moved into the branch before review, and resolves a conflicting move in a revision", async () => {
    const { repo, issue, pull } = await approvedIssue();
    await pushCommit(stack.sandbox.world, repo, "main", { "CHANGELOG.md": "# Changes\n" }, MAINTAINER);
    stack.label(repo, issue, "status:in-review");
    await waitFor("a second review", () => artifacts(issue, "review").length === 2, 30_000, stack.apps);
    await waitForStatus(issue, "status:approved", 20_000, stack.apps);
    const branch = `baton/issue-${issue.number}`;
    expect(await readFileAt(repo.gitDir, branch, "CHANGELOG.md")).toBe("# Changes\n");
    expect((await git(repo.gitDir, ["log", "-1", "--format=%s", branch])).trim()).toBe(`Merge branch 'main' into ${branch}`);

    // main changes the very file Baton's branch wrote: the merge conflicts.
    const file = `docs/baton/issue-${issue.number}.md`;
    await pushCommit(stack.sandbox.world, repo, "main", { [file]: "Written on main meanwhile.\n" }, MAINTAINER);
    stack.label(repo, issue, "status:in-review");
    await waitFor("a merge revision", () => artifacts(issue, "implement").length === 2, 40_000, stack.apps);
    await waitForStatus(issue, "status:approved", 30_000, stack.apps);
    await stack.settled();

    const [conflict] = feedbackArtifacts(issue);
    expect(conflict?.body).toContain("`main` moved and conflicts");
    expect(artifacts(issue, "review").map((a) => a.body.includes("merging it conflicts"))).toEqual([false, false, true, false]);
    const merged = await readFileAt(repo.gitDir, branch, file);
    expect(merged).toContain("Written on main meanwhile.");
    expect(merged).toContain("merging it conflicts");
    expect(merged).not.toMatch(/^(<{7}|={7}|>{7})/m);
    await git(repo.gitDir, ["merge-base", "--is-ancestor", "main", branch]);
    expect((await git(repo.gitDir, ["log", "-1", "--format=%P", branch])).trim().split(" ")).toHaveLength(2);
    expect(pull.comments.some((c) => c.body.includes("answers the conflict with the moved base"))).toBe(true);
    expect(issue.labels).not.toContain("status:blocked");
  }, 120_000);

  it("blocks a base that keeps conflicting once its merge revisions pass max_revisions", async () => {
    const { repo, issue } = await approvedIssue({ ".github/baton.yml": "stages:\n  review:\n    max_revisions: 1\n" });
    const file = `docs/baton/issue-${issue.number}.md`;
    await pushCommit(stack.sandbox.world, repo, "main", { [file]: "Written on main meanwhile.\n" }, MAINTAINER);
    stack.label(repo, issue, "status:in-review");
    await waitFor("a merge revision", () => artifacts(issue, "implement").length === 2, 40_000, stack.apps);
    await waitForStatus(issue, "status:approved", 30_000, stack.apps);

    // main changes the file again: the second merge revision would be one past max_revisions.
    await pushCommit(stack.sandbox.world, repo, "main", { [file]: "Rewritten on main again.\n" }, MAINTAINER);
    stack.label(repo, issue, "status:in-review");
    await waitForStatus(issue, "status:blocked", 30_000, stack.apps);
    await stack.settled();

    // Each conflicting move is recorded as feedback; only the first became a revision.
    expect(feedbackArtifacts(issue).filter((a) => a.body.includes("moved and conflicts"))).toHaveLength(2);
    expect(artifacts(issue, "implement")).toHaveLength(2);
    const status = statusComments(issue)[0]?.body ?? "";
    expect(status).toContain("past max_revisions (1)");
  }, 120_000);

  it("ignores a base: label applied by someone below permissions.commands, with one note, and targets the default branch", async () => {
    const { issue, pull } = await approvedIssue({}, async (repo, issue) => {
      await git(repo.gitDir, ["branch", "evil", "main"]);
      repo.roles.set("mallory", "triage");
      stack.label(repo, issue, "base:evil", "mallory");
    });
    expect(pull.pull?.base).toBe("main");
    expect(pull.body).toContain("**Base branch:** `main` (the repository's default branch)");
    const notes = issue.comments.filter((c) => c.body.startsWith("<!-- baton:base-refused"));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toContain("@mallory");
    expect(notes[0]?.body).toContain("`base:evil`");
  }, 90_000);

  it("targets the branch of a base: label, opens a normal PR where drafts are not allowed, and blocks when the PR is closed unmerged until it is reopened", async () => {
    const { repo, issue, pull } = await approvedIssue({}, async (repo, issue) => {
      repo.draftsAllowed = false;
      await git(repo.gitDir, ["branch", "develop", "main"]);
      stack.label(repo, issue, "base:develop");
    });
    expect(pull.pull?.base).toBe("develop");
    expect(pull.body).toContain("**Base branch:** `develop` (the `base:develop` label)");
    expect(await commits(repo, issue, "develop")).toHaveLength(1);
    expect(pull.body).toContain("this repository does not allow draft pull requests");
    expect(pull.pull?.draft).toBe(false);

    await setPullState(stack.sandbox.world, repo, pull, "closed", MAINTAINER);
    await waitForStatus(issue, "status:blocked", 20_000, stack.apps);
    const blocked = issue.comments.find((c) => c.body.startsWith(`<!-- baton:blocked run=closed-pr${pull.number}`));
    expect(blocked?.body).toContain("was closed without merging");
    expect(await commits(repo, issue, "develop")).toHaveLength(1);

    await setPullState(stack.sandbox.world, repo, pull, "open", MAINTAINER);
    await waitForStatus(issue, "status:approved", 30_000, stack.apps);
  }, 120_000);
});
