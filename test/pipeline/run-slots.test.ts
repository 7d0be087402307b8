import { randomUUID } from "node:crypto";
import type { BatonEvent } from "../../src/observe/events.js";
import type { IntakeJob } from "../../src/pipeline/job-data.js";
import { acquireSlots, releaseSlots } from "../../src/pipeline/run-slots.js";
import { startWorkers, type Workers } from "../../src/pipeline/start-workers.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { createTestRuntime } from "../helpers/test-runtime.js";
import { MAINTAINER } from "../helpers/sandbox-issues.js";

describe("run slots", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => rt.close());
  const slot = (name: string, limit: number) => ({ key: `${rt.prefix}:slots-test:${name}`, limit });

  it("lets at most `limit` runs hold a slot, without touching other sets", async () => {
    const results = await Promise.all(["a", "b", "c", "d"].map((run) => acquireSlots(rt, [slot("org-1", 2)], run, 10_000)));

    expect(results.filter(Boolean)).toHaveLength(2);
    expect(await acquireSlots(rt, [slot("org-2", 2)], "other-org", 10_000)).toBe(true);
  });

  it("renews a held slot, frees it on release, and frees it by itself when its holder dies", async () => {
    expect(await acquireSlots(rt, [slot("org", 1)], "a", 10_000)).toBe(true);
    expect(await acquireSlots(rt, [slot("org", 1)], "a", 10_000)).toBe(true);
    expect(await acquireSlots(rt, [slot("org", 1)], "b", 10_000)).toBe(false);
    await releaseSlots(rt, [slot("org", 1)], "a");
    expect(await acquireSlots(rt, [slot("org", 1)], "b", 50)).toBe(true);

    await new Promise((r) => setTimeout(r, 80));
    expect(await acquireSlots(rt, [slot("org", 1)], "c", 10_000)).toBe(true);
  });

  it("takes a slot in every set or in none", async () => {
    expect(await acquireSlots(rt, [slot("stage", 1)], "busy", 10_000)).toBe(true);

    expect(await acquireSlots(rt, [slot("org", 5), slot("stage", 1)], "waiting", 10_000)).toBe(false);
    expect(await rt.redis.zcard(slot("org", 5).key)).toBe(0);
  });
});

describe("a stage's `concurrency:`", () => {
  let env: SandboxRuntime;
  let workers: Workers | undefined;
  beforeEach(async () => {
    env = await createSandboxRuntime({ BATON_BUILTIN_DELAY: "400ms" });
  });
  afterEach(async () => {
    await workers?.close(1000);
    await env.close();
  });

  /** Two issues of one repository labelled for triage at once; each run's [start, end] on the event clock. */
  async function triageTwo(config: string): Promise<[number, number][]> {
    const repo = await env.sandbox.world.createRepo("acme", "app", { files: config ? { ".github/baton.yml": config } : {} });
    const installationId = env.sandbox.world.state.installationFor(repo.owner)!.id;
    workers = startWorkers(env.rt);
    for (const title of ["Add a dark mode toggle", "Add a search box"]) {
      const issue = env.sandbox.world.createIssue(repo, { title, body: "Details in the title." }, MAINTAINER);
      env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
      const data: IntakeJob = {
        deliveryId: randomUUID(),
        source: "cli",
        issue: { installationId, repoId: repo.id, owner: repo.owner, repo: repo.name, number: issue.number },
        label: "status:triage",
        sender: { login: "octocat", type: "User" },
      };
      await env.rt.queues.intake.add("test", data);
    }
    const runs = new Map<string, [number, number]>();
    for (let waited = 0; [...runs.values()].filter(([, end]) => end > 0).length < 2 && waited < 20_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      const entries = await env.rt.redis.xrange(env.rt.events.streamKey, "-", "+");
      for (const [, fields] of entries) {
        const event = JSON.parse(fields[1] ?? "{}") as BatonEvent;
        const run = runs.get(String(event.run_id)) ?? [0, 0];
        if (event.type === "worker_started") runs.set(String(event.run_id), [event.ts, run[1]]);
        if (event.type === "dispatch_completed") runs.set(String(event.run_id), [run[0], event.ts]);
      }
    }
    return [...runs.values()].sort((a, b) => a[0] - b[0]);
  }

  it("runs the stage's jobs of one repository one at a time when it is 1", async () => {
    const [first, second] = await triageTwo("stages:\n  triage: { concurrency: 1 }\n");

    expect(second?.[0]).toBeGreaterThanOrEqual(first?.[1] ?? Infinity);
  }, 30_000);

  it("runs them side by side without it", async () => {
    const [first, second] = await triageTwo("");

    expect(second?.[0]).toBeLessThan(first?.[1] ?? 0);
  }, 30_000);
});
