import { sign } from "@octokit/webhooks-methods";
import type { AppProcess } from "../../sandbox/app-process.js";
import { artifacts, pullsOf, startStack, statusComments, statusLabels, waitFor, waitForStatus, type Stack } from "./harness.js";

/** The app as users start it (a separate process) against the sandbox and real Redis. */
describe("the pipeline end to end", () => {
  let stack: Stack;
  let app: AppProcess;

  beforeAll(async () => {
    stack = await startStack();
    app = await stack.startApp();
    stack.sandbox.setWebhookUrl(app.webhookUrl);
  }, 60_000);
  afterAll(async () => stack.close(), 30_000);

  it("takes an issue from status:triage to status:approved with a PR whose diff is the canned change", async () => {
    const repo = await stack.newRepo();
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");

    await waitForStatus(issue, "status:approved", 30_000, stack.apps);

    expect(statusLabels(issue)).toEqual(["status:approved"]);
    expect(artifacts(issue).map((c) => /stage=(\w+)/.exec(c.body)?.[1])).toEqual(["triage", "design", "implement", "review"]);
    expect(statusComments(issue)).toHaveLength(1);
    const [pull] = pullsOf(repo);
    expect(pull?.pull?.head).toBe(`baton/issue-${issue.number}`);
    expect(pull?.body).toContain(`Closes #${issue.number}`);
    expect(pull?.labels).toContain("baton");
    expect(pull?.pull?.reviews.map((r) => r.event)).toEqual(["COMMENT"]);
    const res = await fetch(`${stack.sandbox.apiUrl}/repos/${repo.owner}/${repo.name}/pulls/${pull!.number}/files`, {
      headers: { authorization: "token ghp_sandbox_octocat" },
    });
    const files = (await res.json()) as { filename: string; status: string; patch: string }[];
    expect(files.map((f) => [f.filename, f.status])).toEqual([[`docs/baton/issue-${issue.number}.md`, "added"]]);
    expect(files[0]?.patch).toContain("[builtin canned output]");
  }, 40_000);

  it("turns one delivery sent twice and redelivered five times into one claim and one artifact", async () => {
    const repo = await stack.newRepo();
    const issue = stack.newIssue(repo);
    stack.sandbox.world.webhooks.faults.duplicate = 1;
    stack.label(repo, issue, "status:triage");
    await waitForStatus(issue, "status:approved", 30_000, stack.apps);
    const first = stack.sandbox.world.webhooks.deliveries.find(
      (d) => d.action === "labeled" && (d.payload as any).label.name === "status:triage" && (d.payload as any).repository.name === repo.name,
    )!;

    for (let i = 0; i < 5; i++) stack.sandbox.world.webhooks.redeliver(first.id);
    await stack.settled();

    const labelled = (name: string) =>
      stack.sandbox.world.webhooks.deliveries.filter(
        (d) => d.action === "labeled" && !d.redelivery && (d.payload as any).repository.name === repo.name && (d.payload as any).label.name === name,
      );
    expect(labelled("status:triaging")).toHaveLength(1);
    expect(labelled("status:designing")).toHaveLength(1);
    expect(artifacts(issue, "triage")).toHaveLength(1);
    expect(artifacts(issue)).toHaveLength(4);
    expect(statusComments(issue)).toHaveLength(1);
    expect(statusLabels(issue)).toEqual(["status:approved"]);
  }, 40_000);

  it("answers a delivery with a bad signature with 4xx, and nothing happens", async () => {
    const repo = await stack.newRepo();
    const issue = stack.newIssue(repo);
    issue.labels.push("status:triage");
    const payload = stack.sandbox.world.payloads.labeled("labeled", repo, issue, "status:triage", stack.sandbox.world.state.user("octocat"));
    const body = JSON.stringify(payload);

    const res = await fetch(app.webhookUrl, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": "bad-sig-1",
        "x-hub-signature-256": await sign("not-the-secret", body),
      },
    });
    await stack.settled();

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(issue.labels).toEqual(["status:triage"]);
    expect(issue.comments).toHaveLength(0);
  }, 20_000);

  it("answers an invalid config with one comment and claims nothing, however often the label is applied", async () => {
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  design:\n    timeout: forever\n" });
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitFor("a config comment", () => issue.comments.length > 0, 15_000, stack.apps);
    stack.sandbox.world.removeLabel(repo, issue, "status:triage", { kind: "user", login: "octocat" });
    stack.label(repo, issue, "status:triage");
    await stack.settled();

    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]?.body).toContain("stages.design.timeout");
    expect(issue.labels).toEqual(["status:triage"]);
    expect(stack.apps.every((a) => a.child.exitCode === null)).toBe(true);
  }, 30_000);

  it("finishes through 30% 502s and a secondary rate limit with retry-after, without duplicate comments", async () => {
    const repo = await stack.newRepo();
    const issue = stack.newIssue(repo);
    stack.sandbox.faults.rateLimit(1, { status: 403, retryAfter: 1, method: "POST" });
    stack.sandbox.faults.failFraction(0.3, 7);
    stack.label(repo, issue, "status:triage");

    try {
      await waitForStatus(issue, "status:approved", 60_000, stack.apps);
    } finally {
      stack.sandbox.faults.clear();
    }

    expect(statusLabels(issue)).toEqual(["status:approved"]);
    expect(artifacts(issue)).toHaveLength(4);
    expect(statusComments(issue)).toHaveLength(1);
    expect(pullsOf(repo)).toHaveLength(1);
    expect(stack.sandbox.calls.filter((c) => c.status === 502).length).toBeGreaterThan(3);
    expect(stack.sandbox.calls.some((c) => c.status === 403)).toBe(true);
  }, 70_000);
});
