import type { Job } from "bullmq";
import { processIntake } from "../../src/pipeline/process-intake.js";
import { processReconcile } from "../../src/pipeline/reconcile/process-reconcile.js";
import { deliverLabel } from "../helpers/deliver.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

describe("the reconciler", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let fake: FakeGitHub;
  const sweep = (id: string) => processReconcile(rt, { id } as Job);
  const intakeJobs = () => rt.queues.intake.getJobs(["waiting", "prioritized"]);
  const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString();

  beforeEach(async () => {
    rt = await createTestRuntime();
    fake = new FakeGitHub();
  });
  afterEach(async () => {
    fake.close();
    await rt.close();
  });

  it("claims an issue whose labelling webhook was lost, through the intake path", async () => {
    fake.addIssue({ number: 21, labels: ["status:triage"] });

    const totals = await sweep("s1");

    expect(totals).toMatchObject({ lost: 1, repositories: 1 });
    const [job] = await intakeJobs();
    expect(job?.data).toMatchObject({ source: "reconcile", label: "status:triage", issue: { number: 21, repoId: 9001 } });
    expect(await processIntake(rt, job!)).toMatchObject({ action: "claimed", stage: "triage" });
    expect(fake.issues.get(21)?.labels).toEqual(["status:triaging"]);
  });

  it("hands a claim with no live job back to its input label once, then blocks with a comment", async () => {
    fake.addIssue({ number: 22, labels: ["status:designing"], updated_at: longAgo });

    await sweep("s1");
    expect(fake.issues.get(22)?.labels).toEqual(["status:triaged"]);

    fake.issues.get(22)!.labels = ["status:designing"];
    await sweep("s2");
    expect(fake.issues.get(22)?.labels).toEqual(["status:blocked"]);
    const blocked = fake.commentsOn(22).filter((c) => c.body.startsWith("<!-- baton:blocked"));
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.body).toContain("no worker is running it");
  });

  it("leaves a fresh claim alone (its job may be on the way)", async () => {
    fake.addIssue({ number: 23, labels: ["status:triaging"] });

    await sweep("s1");

    expect(fake.issues.get(23)?.labels).toEqual(["status:triaging"]);
  });

  it("redelivers failed deliveries that never succeeded, at most three times", async () => {
    const now = new Date().toISOString();
    fake.deliveries.push(
      { id: 1, guid: "g-ok", status_code: 200, delivered_at: now, redelivery: false, event: "issues" },
      { id: 2, guid: "g-failed", status_code: 502, delivered_at: now, redelivery: false, event: "issues" },
      { id: 3, guid: "g-recovered", status_code: 0, delivered_at: now, redelivery: false, event: "issues" },
      { id: 4, guid: "g-recovered", status_code: 202, delivered_at: now, redelivery: true, event: "issues" },
    );

    for (let i = 0; i < 5; i++) await sweep(`s${i}`);

    expect(fake.redeliveryRequests).toEqual([2, 2, 2]);
  });

  it("sweeps a scheduled stage's label once per cron firing, and ignores its webhooks", async () => {
    fake.configText = [
      "stages:",
      "  nightly-triage:",
      "    kind: triage",
      "    on: status:new",
      "    claim: status:sweeping",
      "    next: { pass: status:triaged, needs-info: status:needs-info }",
      "    entry: true",
      '    schedule: "0 * * * *"',
      "  triage: { enabled: false }",
    ].join("\n");
    fake.addIssue({ number: 24, labels: ["status:new"] });

    await sweep("s1");
    await sweep("s2");

    const jobs = (await intakeJobs()).filter((j) => j.data.label === "status:new");
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data.source).toBe("reconcile");
    const [webhook] = await deliverLabel(rt, fake, { label: "status:new", number: 24 });
    expect(await processIntake(rt, webhook!)).toMatchObject({ action: "dropped", reason: expect.stringContaining("scheduled") });
    expect(await processIntake(rt, jobs[0]!)).toMatchObject({ action: "claimed", stage: "nightly-triage" });
  });
});
