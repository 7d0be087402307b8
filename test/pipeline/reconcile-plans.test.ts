import { loadPipeline } from "../../src/pipeline/load-pipeline.js";
import { sweepRepository } from "../../src/pipeline/reconcile/sweep-repository.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, statusLabels } from "../helpers/sandbox-issues.js";

/** A lost sub-issue webhook does not hold a plan up: the reconciler's sweep brings the parent up to date. */
describe("the reconciler and plans", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(async () => {
    await env.close();
  });

  it("promotes the sub-issue whose dependency is done, when the webhook saying so never came", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "themes", { files: {} });
    const parent = env.sandbox.world.createIssue(
      repo,
      { title: "Theme support", body: "In parts:\n\n- [ ] Add the settings page\n- [ ] Document it (after 1)\n" },
      MAINTAINER,
    );
    env.sandbox.world.addLabels(repo, parent, ["status:triage"], MAINTAINER);
    await env.runStage(repo, parent, "status:triage");
    await env.runStage(repo, parent, "status:triaged");
    await env.runStage(repo, parent, "status:plan");
    const children = [...repo.issues.values()].filter((i) => i.body.includes(`<!-- baton:task parent=${parent.number} `)).sort((a, b) => a.number - b.number);
    expect(statusLabels(parent)).toEqual(["status:tracking"]);
    expect(children.map(statusLabels)).toEqual([["status:ready"], ["status:queued"]]);

    // The first sub-issue is done; this process never hears of it (no webhook consumer here).
    env.sandbox.world.setLabels(repo, children[0]!, ["status:done"], MAINTAINER);
    const ref = { installationId: env.sandbox.world.state.installationFor(repo.owner)!.id, repoId: repo.id, owner: repo.owner, repo: repo.name };
    const config = await loadPipeline(env.rt, await env.rt.auth(ref.installationId), ref);
    if (!config.ok) throw new Error("config");
    const counts = await sweepRepository(env.rt, await env.rt.auth(ref.installationId), ref, config.pipeline, "sweep-1");

    expect(counts.tracked).toBe(1);
    expect(statusLabels(children[1]!)).toEqual(["status:ready"]);
  }, 60_000);
});
