import { processIntake } from "../../src/pipeline/process-intake.js";
import { stageQueue } from "../../src/pipeline/queues.js";
import { deliverLabel } from "../helpers/deliver.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

describe("claiming an issue for a stage", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let fake: FakeGitHub;

  beforeEach(async () => {
    rt = await createTestRuntime();
    fake = new FakeGitHub();
  });
  afterEach(async () => {
    fake.close();
    await rt.close();
  });

  const stageJobs = async () => stageQueue(rt.queues, "triage").getJobs(["waiting", "prioritized", "delayed", "active"]);

  it("swaps the input label for the claim label before the stage job exists", async () => {
    fake.addIssue({ number: 1, labels: ["status:triage"] });
    const seenAtSwap: number[] = [];
    fake.beforeCall.push(async (call) => {
      if (call.method === "PUT" && call.path.endsWith("/issues/1/labels")) seenAtSwap.push((await stageJobs()).length);
    });
    const [job] = await deliverLabel(rt, fake, { label: "status:triage", number: 1 });

    const outcome = await processIntake(rt, job!);

    expect(outcome).toMatchObject({ action: "claimed", stage: "triage" });
    expect(seenAtSwap).toEqual([0]);
    expect(fake.issues.get(1)?.labels).toEqual(["status:triaging"]);
    const jobs = await stageJobs();
    expect(jobs.map((j) => j.id)).toEqual(["r9001-1-triage-1"]);
    // The claim hands its read of the issue to the stage, with the labels it left.
    expect(jobs[0]?.data).toEqual({
      issue: job!.data.issue,
      stage: "triage",
      kind: "triage",
      transition: 1,
      runId: "r9001-1-triage-1",
      snapshot: expect.objectContaining({ number: 1, labels: ["status:triaging"] }),
    });
  });

  it("turns five redeliveries of one delivery into one job and one claim", async () => {
    fake.addIssue({ number: 2, labels: ["status:triage"] });
    const jobs = [];
    for (let i = 0; i < 5; i++)
      jobs.push(...(await deliverLabel(rt, fake, { label: "status:triage", number: 2, deliveryId: "dddddddd-0000-4000-8000-000000000002" })));
    const unique = new Map(jobs.map((j) => [j.id, j]));

    expect(unique.size).toBe(1);
    await Promise.all([...unique.values()].map((j) => processIntake(rt, j)));
    expect(fake.callsTo("PUT", /\/issues\/2\/labels$/)).toHaveLength(1);
    expect(await stageJobs()).toHaveLength(1);
  });

  it("lets only one of two racing deliveries claim the issue", async () => {
    fake.addIssue({ number: 3, labels: ["status:triage"] });
    const [a] = await deliverLabel(rt, fake, { label: "status:triage", number: 3 });
    const [b] = await deliverLabel(rt, fake, { label: "status:triage", number: 3 });

    const outcomes = await Promise.all([processIntake(rt, a!), processIntake(rt, b!)]);

    expect(outcomes.map((o) => o.action).sort()).toEqual(["claimed", "dropped"]);
    expect(fake.callsTo("PUT", /\/issues\/3\/labels$/)).toHaveLength(1);
    expect(await stageJobs()).toHaveLength(1);
    expect(fake.issues.get(3)?.labels).toEqual(["status:triaging"]);
  });

  it("does nothing for a closed issue or a label already gone", async () => {
    fake.addIssue({ number: 4, labels: ["status:triage"], state: "closed" });
    fake.addIssue({ number: 5, labels: [] });
    const [closed] = await deliverLabel(rt, fake, { label: "status:triage", number: 4 });
    const [gone] = await deliverLabel(rt, fake, { label: "status:triage", number: 5 });

    expect(await processIntake(rt, closed!)).toEqual({ action: "dropped", reason: "issue is closed" });
    expect(await processIntake(rt, gone!)).toEqual({ action: "dropped", reason: "label is no longer on the issue" });
    expect(fake.calls.filter((c) => c.method !== "GET" && !c.path.includes("access_tokens"))).toEqual([]);
    expect(await stageJobs()).toHaveLength(0);
  });

  it("ignores labels no stage consumes and labels applied by other bots", async () => {
    fake.addIssue({ number: 6, labels: ["bug", "status:triage"] });
    const [bug] = await deliverLabel(rt, fake, { label: "bug", number: 6 });
    const [otherBot] = await deliverLabel(rt, fake, { label: "status:triage", number: 6, sender: { login: "renovate[bot]", type: "Bot" } });

    expect(await processIntake(rt, bug!)).toMatchObject({ action: "dropped" });
    expect(await processIntake(rt, otherBot!)).toMatchObject({ action: "dropped" });
    expect(fake.issues.get(6)?.labels).toEqual(["bug", "status:triage"]);
  });

  it("refuses an entry label applied by someone below permissions.trigger, with one comment", async () => {
    fake.addIssue({ number: 7, labels: ["status:triage"] });
    fake.permissions.set("drive-by", "read");
    const [job] = await deliverLabel(rt, fake, { label: "status:triage", number: 7, sender: { login: "drive-by", type: "User" } });

    const outcome = await processIntake(rt, job!);

    expect(outcome).toMatchObject({ action: "refused" });
    expect(fake.issues.get(7)?.labels).toEqual([]);
    expect(fake.commentsOn(7)).toHaveLength(1);
    expect(fake.commentsOn(7)[0]?.body).toContain("at least **write** permission");
    expect(await stageJobs()).toHaveLength(0);
  });

  it("answers an invalid config with one comment quoting the problem, claims nothing, and stays one comment on repeat", async () => {
    fake.configText = "stages:\n  design:\n    on: status/triaged\n    claim: status:designing\n    gate: maybe\n";
    fake.addIssue({ number: 8, labels: ["status:triage"] });

    for (let i = 0; i < 2; i++) {
      const [job] = await deliverLabel(rt, fake, { label: "status:triage", number: 8 });
      expect(await processIntake(rt, job!)).toMatchObject({ action: "invalid-config" });
    }

    const comments = fake.commentsOn(8);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("stages.design.gate");
    expect(fake.issues.get(8)?.labels).toEqual(["status:triage"]);
    expect(await stageJobs()).toHaveLength(0);
  });

  it("creates the pipeline's missing labels on first use", async () => {
    fake.repoLabels.add("status:triage");
    fake.addIssue({ number: 9, labels: ["status:triage"] });
    const [job] = await deliverLabel(rt, fake, { label: "status:triage", number: 9 });

    await processIntake(rt, job!);

    for (const label of ["status:triaging", "status:triaged", "status:designing", "status:ready", "status:blocked", "status:designed"]) {
      expect(fake.repoLabels.has(label)).toBe(true);
    }
    expect(fake.callsTo("POST", /\/labels$/).filter((c) => (c.body as { name?: string }).name === "status:triage")).toHaveLength(0);
  });
});
