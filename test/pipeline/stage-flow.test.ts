import type { Job } from "bullmq";
import { findArtifacts } from "../../src/github/artifacts.js";
import type { StageJob } from "../../src/pipeline/job-data.js";
import { processIntake } from "../../src/pipeline/process-intake.js";
import { processStage } from "../../src/pipeline/process-stage.js";
import { runCommand } from "../../src/pipeline/commands/run-command.js";
import { stageQueue } from "../../src/pipeline/queues.js";
import { STATUS_MARKER } from "../../src/github/status-comment.js";
import { deliverLabel } from "../helpers/deliver.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { BOT_LOGIN, createTestRuntime } from "../helpers/test-runtime.js";

/**
 * The stage worker through real BullMQ jobs on real Redis, with GitHub faked at the HTTP
 * boundary. Baton's own handoff label is fed back as the bot's `issues.labeled` delivery,
 * as GitHub would send it.
 */
describe("running stages and handing off", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let fake: FakeGitHub;

  beforeEach(async () => {
    rt = await createTestRuntime({ BATON_DEFAULT_BACKEND: "builtin" });
    fake = new FakeGitHub();
  });
  afterEach(async () => {
    fake.close();
    await rt.close();
  });

  async function claimAndRun(label: string, number: number, sender = { login: "octocat", type: "User" }) {
    const [intake] = await deliverLabel(rt, fake, { label, number, sender });
    const claimed = await processIntake(rt, intake!);
    if (claimed.action !== "claimed") return { claimed, result: undefined };
    const kind = claimed.stage === "triage" ? "triage" : "design";
    const job = (await stageQueue(rt.queues, kind).getJob(claimed.runId)) as Job<StageJob>;
    return { claimed, job, result: await processStage(rt, job) };
  }

  const bot = { login: BOT_LOGIN, type: "Bot" };
  const statusComments = (n: number) => fake.commentsOn(n).filter((c) => c.body.startsWith(STATUS_MARKER));

  it("reports a run's events in order, naming the backend it delegated to", async () => {
    fake.addIssue({ number: 12, labels: ["status:triage"] });

    const { claimed } = await claimAndRun("status:triage", 12);

    const runId = claimed.action === "claimed" ? claimed.runId : "";
    const events = (await rt.redis.xrange(rt.events.streamKey, "-", "+"))
      .map(([, fields]) => JSON.parse(fields[1] ?? "{}") as Record<string, unknown>)
      .filter((e) => e.run_id === runId && e.type !== "agent_output");
    expect(events.map((e) => e.type)).toEqual([
      "dispatch_requested",
      "worker_started",
      "backend_delegating",
      "dispatch_spawned",
      "status_changed",
      "dispatch_completed",
    ]);
    expect(events[2]).toMatchObject({ backend: "builtin", skipped: [] });
    expect(events[3]).toMatchObject({ backend: "builtin", attempt: 1 });
  });

  it("takes an issue from status:triage through triage and design to status:ready", async () => {
    fake.addIssue({ number: 10, labels: ["status:triage"] });

    const triage = await claimAndRun("status:triage", 10);
    expect(triage.result).toEqual({ action: "handed-off", outcome: "pass", label: "status:triaged" });
    const design = await claimAndRun("status:triaged", 10, bot);
    expect(design.result).toEqual({ action: "handed-off", outcome: "pass", label: "status:ready" });

    const labels = fake.issues.get(10)!.labels;
    expect(labels).toContain("status:ready");
    expect(labels.filter((l) => l.startsWith("status:"))).toEqual(["status:ready"]);
    expect(labels).toEqual(expect.arrayContaining(["type:feature", "priority:p2"]));
    const comments = fake.commentsOn(10).map((c) => ({ id: c.id, body: c.body, html_url: "", user: null, created_at: "", updated_at: "" }));
    expect(findArtifacts(comments, "triage")).toHaveLength(1);
    const [spec] = findArtifacts(comments, "design");
    expect(spec?.markdown).toContain("### Acceptance criteria");
    expect(spec?.meta.acceptance_criteria).toEqual(expect.any(Array));
    expect(statusComments(10)).toHaveLength(1);
    expect(statusComments(10)[0]?.body).toMatch(/\| triage \| ✅ passed \| builtin/);
    expect(statusComments(10)[0]?.body).toMatch(/\| design \| ✅ passed \| builtin/);
  });

  it("stops a gated design stage at status:designed with a comment saying how to continue", async () => {
    fake.configText = "stages:\n  design:\n    gate: true\n";
    fake.addIssue({ number: 11, labels: ["status:triaged"] });

    const design = await claimAndRun("status:triaged", 11, bot);

    expect(design.result).toEqual({ action: "handed-off", outcome: "pass", label: "status:designed" });
    expect(fake.issues.get(11)!.labels).toEqual(["status:designed"]);
    expect(fake.commentsOn(11).some((c) => c.body.includes("/baton approve") && c.body.includes("status:ready"))).toBe(true);
    expect(statusComments(11)[0]?.body).toContain("waiting for you");
  });

  it("retries a 502 on the handoff and ends with one artifact and one status comment", async () => {
    fake.addIssue({ number: 12, labels: ["status:triage"] });
    // Octokit's own retry absorbs a few 5xx; the claim's write gets through on its retries.
    fake.failNext("PUT", /\/issues\/12\/labels$/, 502, 2);
    const [intake] = await deliverLabel(rt, fake, { label: "status:triage", number: 12 });
    let claimed;
    for (let attempt = 0; attempt < 5 && claimed?.action !== "claimed"; attempt++) {
      claimed = await processIntake(rt, intake!).catch(() => undefined);
    }
    expect(claimed?.action).toBe("claimed");
    // The handoff's write fails more often than Octokit retries: the job itself fails.
    fake.failNext("PUT", /\/issues\/12\/labels$/, 502, 4);
    const job = (await stageQueue(rt.queues, "triage").getJob((claimed as { runId: string }).runId)) as Job<StageJob>;

    await expect(processStage(rt, job)).rejects.toThrow();
    expect(fake.issues.get(12)!.labels).toContain("status:triaging");
    // BullMQ would run the job again after the backoff; run the next attempt the same way.
    job.attemptsMade = 1;
    const result = await processStage(rt, job);

    // The first attempt marked the handoff and its write failed: the retry finishes the write
    // from a fresh read, without running the stage again.
    expect(result).toEqual({ action: "handed-off", outcome: "resumed", label: "status:triaged" });
    const bodies = fake.commentsOn(12).map((c) => c.body);
    expect(bodies.filter((b) => b.startsWith("<!-- baton:artifact stage=triage"))).toHaveLength(1);
    expect(statusComments(12)).toHaveLength(1);
    expect(fake.issues.get(12)!.labels.filter((l) => l.startsWith("status:"))).toEqual(["status:triaged"]);
  });

  it("blocks the issue with a comment when the agent's answer is unusable", async () => {
    fake.configText = "stages:\n  triage:\n    agent: { backend: nonexistent-backend }\n";
    fake.addIssue({ number: 13, labels: ["status:triage"] });

    const run = await claimAndRun("status:triage", 13);

    expect(run.result).toMatchObject({ action: "blocked" });
    expect(fake.issues.get(13)!.labels).toEqual(["status:blocked"]);
    const blocked = fake.commentsOn(13).find((c) => c.body.startsWith("<!-- baton:blocked"));
    expect(blocked?.body).toContain("nonexistent-backend");
    expect(blocked?.body).toContain("To resume");
    expect(statusComments(13)[0]?.body).toContain("⛔ blocked");
  });

  it("does not start a claimed run that /baton stop cancelled while it waited in the queue", async () => {
    fake.addIssue({ number: 15, labels: ["status:triage"] });
    fake.permissions.set("octocat", "admin");
    const [intake] = await deliverLabel(rt, fake, { label: "status:triage", number: 15 });
    const claimed = await processIntake(rt, intake!);
    const job = (await stageQueue(rt.queues, "triage").getJob((claimed as { runId: string }).runId)) as Job<StageJob>;

    await runCommand(rt, { issue: intake!.data.issue, command: "stop", commenter: "octocat", commentId: 1 });
    const result = await processStage(rt, job);

    expect(result).toEqual({ action: "dropped", reason: "stopped by /baton stop" });
    expect(fake.commentsOn(15).filter((c) => c.body.startsWith("<!-- baton:artifact"))).toHaveLength(0);
    expect(fake.issues.get(15)!.labels).toEqual([]);
  });

  it("blocks after max_attempts of a transient failure and says so", async () => {
    fake.addIssue({ number: 14, labels: ["status:triage"] });
    const [intake] = await deliverLabel(rt, fake, { label: "status:triage", number: 14 });
    const claimed = await processIntake(rt, intake!);
    const job = (await stageQueue(rt.queues, "triage").getJob((claimed as { runId: string }).runId)) as Job<StageJob>;
    // As if the job had waited in the queue: the stage reads the issue itself, and that read fails.
    await job.updateData({ ...job.data, snapshot: undefined });
    fake.failNext("GET", /\/issues\/14$/, 503, 1000);

    for (let attempt = 0; attempt < 2; attempt++) {
      job.attemptsMade = attempt;
      await expect(processStage(rt, job)).rejects.toThrow();
      expect(fake.issues.get(14)!.labels).toEqual(["status:triaging"]);
    }
    job.attemptsMade = 2;
    const result = await processStage(rt, job);

    expect(result).toMatchObject({ action: "blocked" });
    expect(fake.issues.get(14)!.labels).toEqual(["status:blocked"]);
    const blocked = fake.commentsOn(14).filter((c) => c.body.startsWith("<!-- baton:blocked"));
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.body).toContain("failed 3 times");
  });
});
