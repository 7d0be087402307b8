import { randomUUID } from "node:crypto";
import { STATUS_MARKER } from "../../src/github/status-comment.js";
import type { IntakeJob } from "../../src/pipeline/job-data.js";
import { processIntake } from "../../src/pipeline/process-intake.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";

const OCTOCAT = { kind: "user" as const, login: "octocat" };

/** A stage whose claim saw no comment skips reading the comments back; Baton's own notes in between still count. */
describe("a stage on an issue nobody has commented on", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(async () => env.close());

  async function freshIssue() {
    const repo = await env.sandbox.world.createRepo("quiet-org", "app");
    const issue = env.sandbox.world.createIssue(repo, { title: "Add a dark mode toggle", body: "A toggle on the settings page." }, OCTOCAT);
    env.sandbox.world.addLabels(repo, issue, ["status:triage"], OCTOCAT);
    return { repo, issue };
  }
  const commentReads = (n: number) => env.sandbox.calls.filter((c) => c.method === "GET" && c.path.endsWith(`/issues/${n}/comments`));

  it("does not read the comments back, and still writes one status comment", async () => {
    const { repo, issue } = await freshIssue();

    const { result } = await env.runStage(repo, issue, "status:triage");

    expect(result).toMatchObject({ action: "handed-off", label: "status:triaged" });
    expect(commentReads(issue.number)).toHaveLength(0);
    expect(issue.comments.filter((c) => c.body.startsWith(STATUS_MARKER))).toHaveLength(1);
  }, 30_000);

  it("reads them before writing the status when Baton noted a waiting label while the stage ran", async () => {
    const { repo, issue } = await freshIssue();
    const installationId = env.sandbox.world.state.installationFor(repo.owner)!.id;
    let parked = false;
    // While triage posts its artifact, a person labels the issue for planning: it waits, with a note in the status comment.
    env.sandbox.beforeServe.push(async ({ method, path }) => {
      if (parked || method !== "POST" || !path.endsWith(`/issues/${issue.number}/comments`)) return;
      parked = true;
      env.sandbox.world.addLabels(repo, issue, ["status:plan"], OCTOCAT);
      const data: IntakeJob = {
        deliveryId: randomUUID(),
        source: "webhook",
        issue: { installationId, repoId: repo.id, owner: repo.owner, repo: repo.name, number: issue.number },
        label: "status:plan",
        sender: { login: "octocat", type: "User" },
      };
      expect(await processIntake(env.rt, await env.rt.queues.intake.add("test", data))).toMatchObject({ action: "waiting" });
    });

    await env.runStage(repo, issue, "status:triage");

    const status = issue.comments.filter((c) => c.body.startsWith(STATUS_MARKER));
    expect(status).toHaveLength(1);
    expect(status[0]!.body).toMatch(/\| triage \| ✅ passed/);
    expect(issue.labels).toEqual(expect.arrayContaining(["status:plan", "status:triaged"]));
  }, 30_000);
});
