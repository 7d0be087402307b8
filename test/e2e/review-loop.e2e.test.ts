import { artifacts, pullsOf, startStack, statusComments, waitFor, waitForStatus, type Stack } from "./harness.js";

describe("review ⇄ implement, gates, commands and lessons end to end", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 60_000);
  afterAll(async () => stack.close(), 30_000);

  it("loops on needs-changes on the same branch and blocks past max_revisions", async () => {
    const app = await stack.startApp({ BATON_BUILTIN_REVIEW_VERDICT: "needs-changes" });
    stack.sandbox.setWebhookUrl(app.webhookUrl);
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  review:\n    max_revisions: 1\n" });
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");

    await waitForStatus(issue, "status:blocked", 40_000, stack.apps);
    await app.stop();

    expect(artifacts(issue, "implement")).toHaveLength(2);
    expect(artifacts(issue, "review")).toHaveLength(2);
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"));
    expect(blocked?.body).toContain("past max_revisions (1)");
    const pulls = pullsOf(repo);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.pull?.reviews).toHaveLength(2);
    const log = await stack.sandbox.world.state.repos.get(`${repo.owner}/${repo.name}`.toLowerCase());
    const { git } = await import("../../sandbox/github/git.js");
    const commits = (await git(log!.gitDir, ["log", "--format=%an", `main..baton/issue-${issue.number}`])).trim().split("\n");
    expect(commits).toHaveLength(2);
    expect(commits.every((author) => author === "baton-sandbox[bot]")).toBe(true);
    expect(statusComments(issue)).toHaveLength(1);
  }, 60_000);

  it("waits at a gate, refuses /baton approve from a read-only user, continues on a maintainer's, and records lessons on merge", async () => {
    const app = await stack.startApp();
    stack.sandbox.setWebhookUrl(app.webhookUrl);
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  design: { gate: true }\n" });
    repo.roles.set("visitor", "read");
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitForStatus(issue, "status:designed", 30_000, stack.apps);

    stack.sandbox.world.comment(repo, issue, "/baton approve", { kind: "user", login: "visitor" });
    await waitFor("a refusal", () => issue.comments.some((c) => c.body.includes("@visitor sorry")), 15_000, stack.apps);
    expect(issue.labels).toContain("status:designed");

    stack.sandbox.world.comment(repo, issue, "/baton approve", { kind: "user", login: "octocat" });
    await waitForStatus(issue, "status:approved", 30_000, stack.apps);

    const [pull] = pullsOf(repo);
    await stack.sandbox.world.mergePull(repo, pull!, { kind: "user", login: "octocat" });
    await waitForStatus(issue, "status:done", 15_000, stack.apps);
    const lessons = artifacts(issue, "lessons");
    expect(lessons).toHaveLength(1);
    expect(lessons[0]?.body).toContain(`PR #${pull!.number} was merged`);
    expect(statusComments(issue)[0]?.body).toMatch(/\| lessons \| ✅ passed/);
    await app.stop();
  }, 60_000);

  it("stops a running stage on /baton stop and runs it again on /baton retry", async () => {
    const app = await stack.startApp({ BATON_BUILTIN_DELAY: "3s" });
    stack.sandbox.setWebhookUrl(app.webhookUrl);
    const repo = await stack.newRepo();
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitFor("the triage claim", () => issue.labels.includes("status:triaging"), 15_000, stack.apps);

    stack.sandbox.world.comment(repo, issue, "/baton stop", { kind: "user", login: "octocat" });
    await waitFor("the stop reply", () => issue.comments.some((c) => c.body.includes("stopped the **triage** stage")), 15_000, stack.apps);
    await stack.settled();
    expect(issue.labels.filter((l) => l.startsWith("status:"))).toEqual([]);
    expect(artifacts(issue)).toHaveLength(0);

    stack.sandbox.world.comment(repo, issue, "/baton retry", { kind: "user", login: "octocat" });
    await waitFor("the triage brief", () => artifacts(issue, "triage").length === 1, 20_000, stack.apps);
    await waitFor("the pipeline to go on to design", () => issue.labels.some((l) => ["status:triaged", "status:designing"].includes(l)), 10_000, stack.apps);
    await app.stop();
  }, 60_000);
});
