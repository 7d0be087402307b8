import { randomUUID } from "node:crypto";
import type { Job } from "bullmq";
import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import type { IntakeJob, StageJob } from "../../src/pipeline/job-data.js";
import { holdIssueAt } from "../../src/pipeline/hold-issue.js";
import { loadPipeline } from "../../src/pipeline/load-pipeline.js";
import { processIntake } from "../../src/pipeline/process-intake.js";
import { processStage } from "../../src/pipeline/process-stage.js";
import { stageQueue } from "../../src/pipeline/queues.js";
import { sweepRepository } from "../../src/pipeline/reconcile/sweep-repository.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { artifactsOf, designedIssue, MAINTAINER, newIssue, pullsOf, statusLabels } from "../helpers/sandbox-issues.js";

/** Every pipeline label a person applies is checked, and one stage holds an issue at a time. */
describe("who may move an issue, and when", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(async () => {
    await env.close();
  });

  const refOf = (repo: Repo, issue: Issue) => ({
    installationId: env.sandbox.world.state.installationFor(repo.owner)!.id,
    repoId: repo.id,
    owner: repo.owner,
    repo: repo.name,
    number: issue.number,
  });
  const liveJobs = (kind: "triage" | "design" | "implement" | "review") =>
    stageQueue(env.rt.queues, kind).getJobs(["waiting", "prioritized", "delayed", "active"]);

  /** Applies `label` as `login` and feeds GitHub's `issues.labeled` delivery through intake. */
  async function labelAndIntake(repo: Repo, issue: Issue, label: string, login: string) {
    env.sandbox.world.addLabels(repo, issue, [label], { kind: "user", login });
    await env.sandbox.idle();
    const delivery = [...env.sandbox.world.webhooks.deliveries]
      .reverse()
      .find((d) => d.event === "issues" && d.action === "labeled" && (d.payload as { label: { name: string } }).label.name === label);
    await acceptDelivery(env.rt, { id: delivery!.guid, name: "issues", payload: delivery!.payload });
    const [job] = (await env.rt.queues.intake.getJobs(["waiting", "prioritized", "delayed"])).filter(
      (j) => j.data.deliveryId === delivery!.guid,
    ) as Job<IntakeJob>[];
    return processIntake(env.rt, job!);
  }

  it("refuses status:ready from a triage-role user while a gated design waits, and claims nothing", async () => {
    const { repo, issue } = await designedIssue(env, "stages:\n  design: { gate: true }\n");
    repo.roles.set("triager", "triage");

    const outcome = await labelAndIntake(repo, issue, "status:ready", "triager");

    expect(outcome).toMatchObject({ action: "refused" });
    expect(statusLabels(issue)).toEqual(["status:designed"]);
    expect(await liveJobs("implement")).toHaveLength(0);
    const refusal = issue.comments.find((c) => c.body.startsWith("<!-- baton:refused"));
    expect(refusal?.body).toContain("@triager");
    expect(refusal?.body).toContain("**write**");
    expect(refusal?.body).toContain("/baton approve");
  }, 40_000);

  it("asks `permissions.commands` of whoever applies status:plan at a gated design, as of /baton approve", async () => {
    const { repo, issue } = await designedIssue(env, "permissions: { trigger: triage, commands: write }\nstages:\n  design: { gate: true }\n");
    repo.roles.set("triager", "triage");

    const outcome = await labelAndIntake(repo, issue, "status:plan", "triager");

    expect(outcome).toMatchObject({ action: "refused" });
    expect(statusLabels(issue)).toEqual(["status:designed"]);
    expect(issue.comments.find((c) => c.body.startsWith("<!-- baton:refused"))?.body).toContain("**write**");
  }, 40_000);

  it("holds an issue where `baton run --to` stopped it: Baton's own handoff waits, a person's label goes on", async () => {
    const { repo, issue } = await newIssue(env);
    await env.runStage(repo, issue, "status:triage");
    await holdIssueAt(env.rt, refOf(repo, issue), ["status:triaged"]);

    const own = await labelAndIntake(repo, issue, "status:triaged", `${env.sandbox.appSlug}[bot]`);
    expect(own).toEqual({ action: "dropped", reason: "held there by `baton run --to`" });
    expect(statusLabels(issue)).toEqual(["status:triaged"]);

    env.sandbox.world.removeLabel(repo, issue, "status:triaged", MAINTAINER);
    const person = await labelAndIntake(repo, issue, "status:triaged", "octocat");
    expect(person).toMatchObject({ action: "claimed", stage: "design" });
  }, 40_000);

  it("refuses, on the reconciler's sweep, a label that a read-only user applied while no webhook came through", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "quiet");
    const issue = env.sandbox.world.createIssue(repo, { title: "Make it faster" }, MAINTAINER);
    repo.roles.set("reader", "read");
    env.sandbox.world.addLabels(repo, issue, ["status:triage"], { kind: "user", login: "reader" });
    const ref = refOf(repo, issue);
    const github = await env.rt.auth(ref.installationId);
    const config = await loadPipeline(env.rt, github, ref);
    if (!config.ok) throw new Error("default pipeline invalid");

    expect(await sweepRepository(env.rt, github, ref, config.pipeline, randomUUID())).toMatchObject({ lost: 1 });
    const [job] = await env.rt.queues.intake.getJobs(["waiting", "prioritized"]);
    const outcome = await processIntake(env.rt, job!);

    expect(outcome).toMatchObject({ action: "refused" });
    expect(statusLabels(issue)).toEqual([]);
    expect(await liveJobs("triage")).toHaveLength(0);
    expect(issue.comments.find((c) => c.body.startsWith("<!-- baton:refused"))?.body).toContain("@reader");
  }, 40_000);

  it("lets status:ready wait while design runs, then starts implement once, after design hands off", async () => {
    const { repo, issue } = await newIssue(env);
    await env.runStage(repo, issue, "status:triage");
    const designIntake = await env.rt.queues.intake.add("test", {
      deliveryId: randomUUID(),
      source: "cli",
      issue: refOf(repo, issue),
      label: "status:triaged",
      sender: { login: "octocat", type: "User" },
    });
    const design = await processIntake(env.rt, designIntake);
    expect(design).toMatchObject({ action: "claimed", stage: "design" });

    const early = await labelAndIntake(repo, issue, "status:ready", "octocat");

    expect(early).toMatchObject({ action: "waiting" });
    expect(statusLabels(issue).sort()).toEqual(["status:designing", "status:ready"]);
    expect(await liveJobs("implement")).toHaveLength(0);
    expect(issue.comments.find((c) => c.body.startsWith("<!-- baton:status -->"))?.body).toMatch(/\| implement \| 🕓 queued .*waits for the design stage/);

    const designJob = (await stageQueue(env.rt.queues, "design").getJob(design.action === "claimed" ? design.runId : "")) as Job<StageJob>;
    expect(await processStage(env.rt, designJob)).toMatchObject({ action: "handed-off" });
    const designRunId = design.action === "claimed" ? design.runId : "";
    const handoffs = (await env.rt.queues.intake.getJobs(["waiting", "prioritized"])).filter((j) => j.data.deliveryId === `handoff-${designRunId}`);
    expect(handoffs.map((j) => j.data.label)).toEqual(["status:ready"]);
    const implement = await processIntake(env.rt, handoffs[0]!);
    expect(implement).toMatchObject({ action: "claimed", stage: "implement" });
    const implementJob = (await stageQueue(env.rt.queues, "implement").getJob(implement.action === "claimed" ? implement.runId : "")) as Job<StageJob>;
    expect(await processStage(env.rt, implementJob)).toMatchObject({ action: "handed-off", label: "status:in-review" });

    expect(artifactsOf(issue, "design")).toHaveLength(1);
    expect(artifactsOf(issue, "implement")).toHaveLength(1);
    expect(pullsOf(repo)).toHaveLength(1);
    expect(pullsOf(repo)[0]?.body).toContain("design spec");
    expect(artifactsOf(issue, "implement")[0]!.id).toBeGreaterThan(artifactsOf(issue, "design")[0]!.id);
  }, 60_000);
});
