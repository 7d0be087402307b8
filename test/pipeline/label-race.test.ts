import type { Job } from "bullmq";
import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import { processRepoTask, type RepoTask } from "../../src/pipeline/repo-tasks.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";

const OCTOCAT = { kind: "user" as const, login: "octocat" };
const MALLORY = { kind: "user" as const, login: "mallory" };

/**
 * Baton writes an issue's labels as a whole set (one PUT, docs/architecture.md §1). GitHub
 * has no conditional write: a label a person adds between Baton's read and its PUT is
 * removed by it. These drive that race by hand (the sandbox lets the person act just before
 * it serves the PUT), then feed GitHub's webhooks back to Baton, as GitHub would.
 */
describe("a label a person adds while Baton moves the issue", () => {
  let env: SandboxRuntime;
  let repo: Repo;
  let issue: Issue;
  let fed = 0;

  beforeEach(async () => {
    env = await createSandboxRuntime();
    fed = 0;
    repo = await env.sandbox.world.createRepo("race-org", "app");
    issue = env.sandbox.world.createIssue(repo, { title: "Add a dark mode toggle", body: "A toggle on the settings page." }, OCTOCAT);
    env.sandbox.world.addLabels(repo, issue, ["bug", "status:triage"], OCTOCAT);
  });
  afterEach(async () => env.close());

  /** Runs `act` just before the `nth` call `method` to the issue's `tail` is served. */
  function before(method: string, tail: string, nth: number, act: () => void | Promise<void>): void {
    let seen = 0;
    env.sandbox.beforeServe.push(async (call) => {
      if (call.method === method && call.path.endsWith(`/issues/${issue.number}${tail}`) && ++seen === nth) await act();
    });
  }
  /** Just before the `nth` label PUT on the issue (1: the claim, 2: the handoff). */
  const beforePut = (nth: number, act: () => void | Promise<void>) => before("PUT", "/labels", nth, act);

  /** Hands every `issues` webhook sent since the last call to Baton's request path, then runs the repo tasks it queued. */
  async function feedWebhooks(): Promise<string[]> {
    await env.sandbox.idle();
    const deliveries = env.sandbox.world.webhooks.deliveries.slice(fed);
    fed += deliveries.length;
    for (const d of deliveries.filter((d) => d.event === "issues")) await acceptDelivery(env.rt, { id: d.guid, name: d.event, payload: d.payload });
    const jobs = await env.rt.queues.repo.getJobs(["waiting", "prioritized", "delayed"]);
    const results = [];
    for (const job of jobs) {
      results.push(await processRepoTask(env.rt, job as Job<RepoTask>));
      await job.remove();
    }
    return results;
  }

  const puts = () => env.sandbox.calls.filter((c) => c.method === "PUT" && c.path.endsWith(`/issues/${issue.number}/labels`));
  const labelPosts = () => env.sandbox.calls.filter((c) => c.method === "POST" && c.path.endsWith(`/issues/${issue.number}/labels`));

  it("puts back a label a person added between the claim's read and its write", async () => {
    beforePut(1, () => env.sandbox.world.addLabels(repo, issue, ["needs-design-review"], OCTOCAT));

    const { result } = await env.runStage(repo, issue, "status:triage");

    expect(result).toMatchObject({ action: "handed-off", label: "status:triaged" });
    expect(puts()).toHaveLength(2);
    expect(issue.labels).not.toContain("needs-design-review"); // the race: the claim's PUT took it off
    expect(await feedWebhooks()).toEqual(["restored needs-design-review"]);
    expect(issue.labels).toEqual(expect.arrayContaining(["bug", "needs-design-review", "status:triaged"]));
    expect(labelPosts()).toHaveLength(1);
    const events = await env.rt.redis.xrange(`${env.rt.prefix}:events`, "-", "+");
    expect(events.map(([, fields]) => fields.join(" ")).filter((f) => f.includes("label_restored"))).toHaveLength(1);
  }, 30_000);

  it("puts back a label a person added while the stage ran (the handoff writes from the claim's read)", async () => {
    beforePut(2, () => env.sandbox.world.addLabels(repo, issue, ["priority:high"], OCTOCAT));

    await env.runStage(repo, issue, "status:triage");
    expect(await feedWebhooks()).toEqual(["restored priority:high"]);

    expect(issue.labels).toEqual(expect.arrayContaining(["bug", "priority:high", "status:triaged"]));
  }, 30_000);

  it("leaves off a label a person took off while the stage ran", async () => {
    // While triage posts its artifact, after the claim and before the handoff.
    before("POST", "/comments", 1, async () => {
      env.sandbox.world.removeLabel(repo, issue, "bug", OCTOCAT);
      expect(await feedWebhooks()).toEqual([]);
    });

    await env.runStage(repo, issue, "status:triage");

    expect(issue.labels).not.toContain("bug");
    expect(issue.labels).toContain("status:triaged");
    expect(await feedWebhooks()).toEqual([]);
  }, 30_000);

  it("keeps a label a person took off and put back while the stage ran", async () => {
    before("POST", "/comments", 1, async () => {
      env.sandbox.world.removeLabel(repo, issue, "bug", OCTOCAT);
      expect(await feedWebhooks()).toEqual([]);
      env.sandbox.world.addLabels(repo, issue, ["bug"], OCTOCAT);
      expect(await feedWebhooks()).toEqual([]);
    });

    await env.runStage(repo, issue, "status:triage");
    await feedWebhooks();

    expect(issue.labels).toEqual(expect.arrayContaining(["bug", "status:triaged"]));
  }, 30_000);

  it("does not put back a stage's input label applied by someone who may not apply it", async () => {
    beforePut(1, () => env.sandbox.world.addLabels(repo, issue, ["status:plan"], MALLORY));

    await env.runStage(repo, issue, "status:triage");
    const results = await feedWebhooks();

    expect(results).toContain("mallory may not apply status:plan: not put back");
    expect(issue.labels).not.toContain("status:plan");
  }, 30_000);

  it("puts nothing back when no person raced it: Baton's own removals are all meant", async () => {
    await env.runStage(repo, issue, "status:triage");
    await env.runStage(repo, issue, "status:triaged");

    expect(await feedWebhooks()).toEqual([]);
    expect(issue.labels).toEqual(expect.arrayContaining(["bug", "status:ready"]));
    expect(issue.labels.filter((l) => l.startsWith("status:"))).toEqual(["status:ready"]);
    expect(puts()).toHaveLength(4);
    expect(env.sandbox.calls.filter((c) => c.path.includes(`/issues/${issue.number}/labels`) && c.method !== "PUT")).toEqual([]);
  }, 30_000);
});
