import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, newIssue, statusLabels } from "../helpers/sandbox-issues.js";

/**
 * Most labels Baton writes start nothing: its claim labels and a triage's classification.
 * Their `labeled` deliveries are dropped at the door (src/pipeline/write-labels.ts) instead of
 * each becoming an intake job that loads the config to find no stage for it; the labels that
 * do start a stage still get theirs. Fed with the sandbox's own webhook payloads, as GitHub sends them.
 */
describe("the labeled deliveries of Baton's own writes", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(async () => env.close());

  /** Each `issues.labeled` delivery sent so far, handed to Baton's request path: label → what it answered. */
  async function acceptLabeled(fromIndex = 0): Promise<[string, string][]> {
    await env.sandbox.idle();
    const answers: [string, string][] = [];
    for (const d of env.sandbox.world.webhooks.deliveries.slice(fromIndex)) {
      const payload = d.payload as { action?: string; label?: { name: string }; sender?: { type: string } };
      if (d.event !== "issues" || payload.action !== "labeled") continue;
      answers.push([`${payload.label!.name} by ${payload.sender!.type}`, await acceptDelivery(env.rt, { id: d.guid, name: d.event, payload: d.payload })]);
    }
    return answers;
  }
  const queuedLabels = async () => (await env.rt.queues.intake.getJobs(["waiting", "prioritized", "delayed"])).map((j) => j.data.label).sort();

  it("queues the person's label and Baton's handoff label, and nothing for its claim labels and classification", async () => {
    const { repo, issue } = await newIssue(env);
    await env.runStage(repo, issue, "status:triage");
    expect(statusLabels(issue)).toEqual(["status:triaged"]);
    // runStage queued the person's intake job itself; GitHub's deliveries come on top of it.
    await env.rt.queues.intake.obliterate({ force: true });

    const answers = await acceptLabeled();

    expect(answers).toEqual(
      expect.arrayContaining([
        ["status:triage by User", "queued"],
        ["status:triaging by Bot", "ignored"],
        ["status:triaged by Bot", "queued"],
      ]),
    );
    const classification = answers.filter(([label]) => /^(type|priority|size):/.test(label));
    expect(classification).toHaveLength(3);
    expect(classification.map(([, answer]) => answer)).toEqual(["ignored", "ignored", "ignored"]);
    expect(await queuedLabels()).toEqual(["status:triage", "status:triaged"]);
  }, 30_000);

  it("leaves a person's add of such a label to intake", async () => {
    const { repo, issue } = await newIssue(env);
    await env.runStage(repo, issue, "status:triage");
    await env.rt.queues.intake.obliterate({ force: true });
    const seen = env.sandbox.world.webhooks.deliveries.length;
    await acceptLabeled();

    // A person adds the claim label by hand later: not Baton's add, so intake judges it.
    env.sandbox.world.addLabels(repo, issue, ["status:triaging"], MAINTAINER);
    const later = await acceptLabeled(seen);

    expect(later.filter(([label]) => label.startsWith("status:triaging by User"))).toEqual([["status:triaging by User", "queued"]]);
  }, 30_000);
});
