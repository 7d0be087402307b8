import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { artifacts, MAINTAINER, REDIS_URL, pullsOf, startStack, statusComments, statusLabels, waitFor, waitForStatus, type Stack } from "./harness.js";

const THREE_TASKS = [
  "A large change in three parts:",
  "",
  "- [ ] Add the settings page",
  "- [ ] Add the theme toggle",
  "- [ ] Document the toggle (after 1)",
  "",
].join("\n");
const CLAIMS = ["status:implementing", "status:reviewing"];

/** The sub-issues Baton made for `parent`, in task order. */
const childrenOf = (repo: Repo, parent: Issue) =>
  [...repo.issues.values()]
    .filter((i) => !i.pull && i.body.includes(`<!-- baton:task parent=${parent.number} `))
    .sort((a, b) => Number(/task=(\S+)/.exec(a.body)![1]) - Number(/task=(\S+)/.exec(b.body)![1]));

const deliveries = (stack: Stack, repo: Repo, event: string, action: string) =>
  stack.sandbox.world.webhooks.deliveries.filter((d) => d.event === event && d.action === action && (d.payload as any).repository.name === repo.name);

function planIssue(stack: Stack, repo: Repo, body: string): Issue {
  const issue = stack.sandbox.world.createIssue(repo, { title: "Theme support for the settings page", body }, MAINTAINER);
  stack.label(repo, issue, "status:triage");
  return issue;
}

async function mergePullOf(stack: Stack, repo: Repo, child: Issue): Promise<void> {
  const pull = pullsOf(repo).find((p) => p.pull?.head === `baton/issue-${child.number}`)!;
  await stack.sandbox.world.mergePull(repo, pull, MAINTAINER);
}

/** Waits until the tracker's jobs for these deliveries (named after them) have completed. */
async function waitForTrackJobs(stack: Stack, guids: string[]): Promise<void> {
  await stack.sandbox.idle();
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("repo", { connection, prefix: stack.prefix });
  try {
    for (const guid of guids) {
      const deadline = Date.now() + 20_000;
      while ((await (await queue.getJob(`d-${guid}-track`))?.isCompleted()) !== true) {
        if (Date.now() > deadline) {
          const job = await queue.getJob(`d-${guid}-track`);
          throw new Error(`the tracker never finished the job of delivery ${guid}: ${job ? `${await job.getState()} ${job.failedReason ?? ""}` : "no job"}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** A sandbox and one Baton process with `env`, for the tests of a describe block. */
function useStack(env: Record<string, string>, set: (stack: Stack) => void): void {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack();
    const app = await stack.startApp(env);
    stack.sandbox.setWebhookUrl(app.webhookUrl);
    set(stack);
  }, 60_000);
  afterAll(async () => stack?.close(), 30_000);
}

describe("plans and sub-issues end to end", () => {
  let stack: Stack;
  // Slow agents, so two sub-issues running at once can be seen running at once.
  useStack({ BATON_BUILTIN_DELAY: "1s" }, (started) => (stack = started));

  it("runs a three-task plan as two batches and closes the parent when every sub-issue is merged", async () => {
    const repo = await stack.newRepo();
    const parent = planIssue(stack, repo, THREE_TASKS);
    await waitForStatus(parent, "status:tracking", 40_000, stack.apps);
    const [one, two, three] = childrenOf(repo, parent);

    // The plan job again (a person re-applies the label): it finds its sub-issues and makes none twice.
    stack.label(repo, parent, "status:plan");
    await waitFor(
      "the second plan run",
      () => parent.comments.filter((c) => c.body.startsWith("<!-- baton:artifact stage=plan")).length === 2,
      30_000,
      stack.apps,
    );
    await waitForStatus(parent, "status:tracking", 30_000, stack.apps);
    expect(childrenOf(repo, parent)).toHaveLength(3);
    expect(parent.subIssues).toEqual([one!.number, two!.number, three!.number]);
    expect(deliveries(stack, repo, "sub_issues", "sub_issue_added")).toHaveLength(3);
    expect(three!.blockedBy).toEqual([one!.number]);
    expect(deliveries(stack, repo, "issue_dependencies", "blocked_by_added")).toHaveLength(1);

    // Batch one: the two independent tasks run at the same time; the third waits.
    await waitFor("tasks 1 and 2 running together", () => [one!, two!].every((c) => c.labels.some((l) => CLAIMS.includes(l))), 40_000, stack.apps);
    expect(statusLabels(three!)).toEqual(["status:queued"]);
    await waitForStatus(one!, "status:approved", 40_000, stack.apps);
    await waitForStatus(two!, "status:approved", 40_000, stack.apps);
    expect(statusLabels(three!)).toEqual(["status:queued"]);
    expect(pullsOf(repo).some((p) => p.pull?.head === `baton/issue-${three!.number}`)).toBe(false);

    // Batch two starts when its dependency's PR is merged (lessons → done → promotion).
    await mergePullOf(stack, repo, one!);
    await waitForStatus(three!, "status:approved", 60_000, stack.apps);
    expect(statusLabels(one!)).toEqual(["status:done"]);
    expect(parent.state).toBe("open");

    await mergePullOf(stack, repo, two!);
    await mergePullOf(stack, repo, three!);
    await waitForStatus(parent, "status:done", 40_000, stack.apps);
    await waitFor("the parent closed", () => parent.state === "closed", 20_000, stack.apps);
    expect(parent.comments.filter((c) => c.body.startsWith("<!-- baton:artifact stage=summary"))).toHaveLength(1);
    const status = statusComments(parent)[0]!.body;
    expect(status).toContain("Order: batch 1: 1, 2 → batch 2: 3.");
    expect(status).toMatch(new RegExp(`#${three!.number} \\| ✅ done`));

    // Only the first plan run, whose children were not attached yet, read the repository's
    // whole issue list; the second run and every tracking pass read the parent's sub-issues.
    const listings = stack.sandbox.calls.filter(
      (c) => c.route === "GET /repos/{owner}/{repo}/issues" && c.path === `/repos/e2e-org/${repo.name}/issues` && c.query.includes("state=all"),
    );
    expect(listings).toHaveLength(1);
    const subIssueReads = stack.sandbox.calls.filter((c) => c.path === `/repos/e2e-org/${repo.name}/issues/${parent.number}/sub_issues` && c.method === "GET");
    expect(subIssueReads.length).toBeGreaterThan(3);
  }, 240_000);

  it("promotes a sub-issue once, however often the events that promote it are redelivered", async () => {
    const repo = await stack.newRepo();
    const parent = planIssue(stack, repo, "Two parts:\n\n- [ ] First part\n- [ ] Second part (after 1)\n");
    await waitForStatus(parent, "status:tracking", 40_000, stack.apps);
    const [one, two] = childrenOf(repo, parent);
    await waitForStatus(one!, "status:approved", 40_000, stack.apps);
    await mergePullOf(stack, repo, one!);
    await waitFor("the second part promoted", () => !two!.labels.includes("status:queued") && two!.labels.length > 0, 30_000, stack.apps);

    const world = stack.sandbox.world;
    const doneLabelled = world.webhooks.deliveries.find(
      (d) =>
        d.action === "labeled" &&
        (d.payload as any).issue.number === one!.number &&
        (d.payload as any).label.name === "status:done" &&
        (d.payload as any).repository.name === repo.name,
    )!;
    world.webhooks.redeliver(doneLabelled.id);
    world.webhooks.send("issues", doneLabelled.payload);
    world.setIssueState(repo, one!, "closed", MAINTAINER);
    await stack.sandbox.idle();
    const copies = world.webhooks.deliveries.filter(
      (d) =>
        d.event === "issues" &&
        (d.payload as any).issue.number === one!.number &&
        (d.payload as any).repository.name === repo.name &&
        (d.action === "closed" || d.payload === doneLabelled.payload),
    );
    await waitForTrackJobs(stack, [...new Set(copies.map((d) => d.guid))]);
    await waitForStatus(two!, "status:approved", 40_000, stack.apps);

    const readyLabelled = world.webhooks.deliveries.filter(
      (d) =>
        d.action === "labeled" &&
        !d.redelivery &&
        (d.payload as any).issue.number === two!.number &&
        (d.payload as any).label.name === "status:ready" &&
        (d.payload as any).repository.name === repo.name,
    );
    expect(readyLabelled).toHaveLength(1);
    expect(artifacts(two!, "implement")).toHaveLength(1);
  }, 120_000);

  it("blocks a cyclic plan with a comment naming the cycle", async () => {
    const repo = await stack.newRepo();
    const parent = planIssue(stack, repo, "Two parts that wait for each other:\n\n- [ ] Part A (after 2)\n- [ ] Part B (after 1)\n");
    await waitForStatus(parent, "status:blocked", 40_000, stack.apps);
    expect(parent.comments.some((c) => c.body.includes("cycle: 1 → 2 → 1"))).toBe(true);
    expect(childrenOf(repo, parent)).toHaveLength(0);
  }, 60_000);

  it("blocks a plan over max_tasks with a comment naming the count", async () => {
    const repo = await stack.newRepo({ ".github/baton.yml": "stages:\n  plan:\n    max_tasks: 2\n" });
    const parent = planIssue(stack, repo, THREE_TASKS);
    await waitForStatus(parent, "status:blocked", 40_000, stack.apps);
    expect(parent.comments.some((c) => c.body.includes("3 tasks, more than max_tasks (2)"))).toBe(true);
    expect(childrenOf(repo, parent)).toHaveLength(0);
  }, 60_000);
});

describe("plans whose sub-issues block, and GitHub without the sub-issues API", () => {
  let stack: Stack;
  useStack({ BATON_BUILTIN_REVIEW_VERDICT: "rejected" }, (started) => (stack = started));

  it("leaves the dependents of a blocked sub-issue queued, and the parent says which task holds them up", async () => {
    const repo = await stack.newRepo();
    const parent = planIssue(stack, repo, THREE_TASKS);
    await waitForStatus(parent, "status:tracking", 40_000, stack.apps);
    const [one, , three] = childrenOf(repo, parent);
    await waitForStatus(one!, "status:blocked", 40_000, stack.apps);

    await waitFor(
      "the parent naming the blocked task",
      () => statusComments(parent)[0]?.body.includes(`Task 1 (#${one!.number}) is blocked: task 3 waits for it.`) ?? false,
      20_000,
      stack.apps,
    );
    expect(statusLabels(three!)).toEqual(["status:queued"]);
    expect(statusLabels(parent)).toEqual(["status:tracking"]);
  }, 90_000);

  it("falls back to a task list and Depends on lines where the API answers 404 (older Enterprise Server)", async () => {
    const repo = await stack.newRepo();
    stack.sandbox.faults.failNext(1_000_000, { status: 404, path: `^/repos/e2e-org/${repo.name}/issues/\\d+/(sub_issues?|dependencies)` });
    try {
      const parent = planIssue(stack, repo, THREE_TASKS);
      await waitForStatus(parent, "status:tracking", 40_000, stack.apps);
      const [one, two, three] = childrenOf(repo, parent);

      expect(parent.subIssues).toBeUndefined();
      expect(parent.body).toContain(
        [
          "### Tasks (Baton's plan)",
          "",
          `- [ ] #${one!.number} Add the settings page`,
          `- [ ] #${two!.number} Add the theme toggle`,
          `- [ ] #${three!.number} Document the toggle`,
        ].join("\n"),
      );
      expect(three!.body).toContain(`Depends on #${one!.number}`);
      expect(statusLabels(three!)).toEqual(["status:queued"]);
      expect(statusComments(parent)[0]?.body).toContain("no sub-issues or issue-dependencies API");
    } finally {
      stack.sandbox.faults.clear();
    }
  }, 60_000);
});

describe("commands on a plan's parent", () => {
  let stack: Stack;
  // Slow agents: the sub-issues are still implementing when the commands arrive.
  useStack({ BATON_BUILTIN_DELAY: "8s" }, (started) => (stack = started));

  it("refuses to plan again once a sub-issue started, and /baton stop stops every running sub-issue", async () => {
    const repo = await stack.newRepo();
    const parent = planIssue(stack, repo, THREE_TASKS);
    await waitForStatus(parent, "status:tracking", 60_000, stack.apps);
    const [one, two, three] = childrenOf(repo, parent);
    await waitFor("tasks 1 and 2 implementing", () => [one!, two!].every((c) => c.labels.includes("status:implementing")), 20_000, stack.apps);
    const reply = (command: string) => parent.comments.find((c) => c.body.startsWith("<!-- baton:reply") && c.body.includes(command));

    const retry = stack.sandbox.world.comment(repo, parent, "/baton retry", MAINTAINER);
    await waitFor("the retry's answer", () => parent.comments.some((c) => c.body.startsWith(`<!-- baton:reply comment=${retry.id} -->`)), 20_000, stack.apps);
    expect(reply(`comment=${retry.id}`)?.body).toContain(`have started (#${one!.number}, #${two!.number})`);
    const stop = stack.sandbox.world.comment(repo, parent, "/baton stop", MAINTAINER);
    await waitFor("the stop's answer", () => parent.comments.some((c) => c.body.startsWith(`<!-- baton:reply comment=${stop.id} -->`)), 20_000, stack.apps);

    expect(reply(`comment=${stop.id}`)?.body).toContain(`stopped the running stage of #${one!.number}, #${two!.number}`);
    expect(statusLabels(one!)).toEqual([]);
    expect(statusLabels(two!)).toEqual([]);
    expect(statusLabels(three!)).toEqual(["status:queued"]);
    expect(statusLabels(parent)).toEqual(["status:tracking"]);
    expect(parent.comments.filter((c) => c.body.startsWith("<!-- baton:artifact stage=plan"))).toHaveLength(1);
  }, 120_000);
});
