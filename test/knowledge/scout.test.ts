import { git } from "../../sandbox/github/git.js";
import type { Repo } from "../../sandbox/github/state.js";
import { keys } from "../../src/runtime.js";
import { Briefing } from "../../src/knowledge/briefing.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, artifactsOf, statusLabels } from "../helpers/sandbox-issues.js";
import { CODE_AGENT, CODE_AGENT_ENV, FRENCH_ISSUE, GREET_FILES, frenchIssueIn, pushFiles } from "../helpers/greeter-repo.js";

const builds = (env: SandboxRuntime) => env.logs.filter((l) => l.includes('"msg":"briefing built"'));
const statusOf = (issue: { comments: { body: string }[] }) => issue.comments.find((c) => c.body.startsWith("<!-- baton:status -->"))?.body ?? "";

/** The scout's agent pass (`scout:`): run once per commit, merged into the briefing, never blocking an issue. */
describe("the scout's agent pass", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime(CODE_AGENT_ENV);
    env.setEnv({ BATON_AGENT_COMMAND: CODE_AGENT });
  });
  afterEach(async () => {
    await env.close();
  });

  async function cachedBriefing(repo: Repo): Promise<Briefing> {
    const head = (await git(repo.gitDir, ["rev-parse", "main"])).trim();
    return Briefing.parse(JSON.parse((await env.rt.redis.get(keys.briefing(env.rt, repo.id, head))) ?? "{}"));
  }

  it("on the builtin backend, adds its summary to the briefing, built once for two issues on one commit and shown to the design", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "greeter", {
      files: { ...GREET_FILES, ".github/baton.yml": "scout:\n  agent: { backend: builtin }\n" },
    });
    const first = env.sandbox.world.createIssue(repo, FRENCH_ISSUE, MAINTAINER);
    const second = env.sandbox.world.createIssue(
      repo,
      { title: "Make greet() say hello in German", body: "greet('Ada') should answer 'Hallo, Ada!' when asked in German." },
      MAINTAINER,
    );
    env.setEnv({ CODE_AGENT_ECHO: "1" });

    for (const issue of [first, second]) {
      env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
      await env.runStage(repo, issue, "status:triage");
      // The second design runs the command agent, which quotes its prompt in the spec.
      if (issue === second) env.sandbox.world.addLabels(repo, issue, ["agent:command"], MAINTAINER);
      await env.runStage(repo, issue, "status:triaged");
      expect(statusLabels(issue)).toEqual(["status:ready"]);
    }

    expect(builds(env)).toHaveLength(1);
    expect(builds(env)[0]).toContain('"scout":"summarized"');
    const briefing = await cachedBriefing(repo);
    expect(briefing.scout).toMatchObject({ status: "summarized", backend: "builtin" });
    const summary = briefing.scout?.status === "summarized" ? briefing.scout.summary : undefined;
    expect(summary?.areas.map((a) => a.path)).toEqual(expect.arrayContaining(["src/", "test/"]));
    expect(summary?.commands).toEqual(expect.arrayContaining([{ name: "npm run test", run: "jest" }]));
    const spec = artifactsOf(second, "design")[0]?.body ?? "";
    expect(spec).toContain("### What the scout found reading the code");
    expect(spec).toMatch(/- `src\/` — \[builtin canned output\] JavaScript about .*greet/);
    expect(statusOf(first)).toContain("(with the scout's summary)");
    expect(statusOf(second)).toContain("(with the scout's summary)");
  }, 90_000);

  it("runs a CLI scout read-only in the checkout, and counts its cost in the budget of the issue that paid for it", async () => {
    env.setEnv({ CODE_AGENT_COST: "0.02" });
    const { repo, issue } = await frenchIssueIn(env, "defaults:\n  budget_usd: 0.01\nscout:\n  agent: { backend: command }\n");

    await env.runStage(repo, issue, "status:triage");
    const { result } = await env.runStage(repo, issue, "status:triaged");

    const briefing = await cachedBriefing(repo);
    expect(briefing.scout?.status === "summarized" && briefing.scout.summary.summary).toMatch(/read from \/tmp\/baton-ro-\S+ with read_only=true/);
    expect(artifactsOf(issue, "triage")[0]?.body).toContain('"scout_usage"');
    expect(statusOf(issue)).toContain("(with the scout's summary, paid here: $0.02)");
    expect(result).toMatchObject({ action: "blocked" });
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body ?? "";
    expect(blocked).toContain("this issue has spent $0.02 (scout $0.02)");
    // The scout's spend is in the metrics too (the stages ran on the unpriced builtin agent).
    const cost = await env.rt.metrics.registry.getSingleMetric("baton_agent_cost_usd_total")!.get();
    expect(cost.values.filter((v) => v.labels.backend === "command").map((v) => v.value)).toEqual([0.02]);
  }, 90_000);

  it("uses the deterministic briefing when the scout answers garbage or names paths the repository lacks, without blocking the issue", async () => {
    env.setEnv({ CODE_AGENT_SCOUT: "garbage" });
    const { repo, issue } = await frenchIssueIn(env, "scout:\n  agent: { backend: command }\n");

    await env.runStage(repo, issue, "status:triage");
    await env.runStage(repo, issue, "status:triaged");

    expect(statusLabels(issue)).toEqual(["status:ready"]);
    expect(artifactsOf(issue, "design")[0]?.body).toContain("`src/greet.js`");
    expect(statusOf(issue)).toContain("(the scout's pass failed: deterministic only)");
    // Paid once: the failed pass is cached with the commit's briefing, not tried by each stage.
    expect(builds(env)).toHaveLength(1);
    expect(builds(env)[0]).toContain('"level":40');
    expect(builds(env)[0]).toMatch(
      /"scout_error":"the command agent's answer did not match what the scout stage needs, even after one repair request: no readable JSON block/,
    );
    expect((await cachedBriefing(repo)).scout).toMatchObject({ status: "failed" });

    env.setEnv({ CODE_AGENT_SCOUT: "made-up" });
    // A stage looks the default branch's head up anew (the default reuses a lookup for 10 s).
    env.setEnv({ BATON_HEAD_FRESH: "0ms" });
    await pushFiles(repo, { "src/greet.js": "export function greet(name) {\n  return `Hi, ${name}!`;\n}\n" });
    const next = env.sandbox.world.createIssue(repo, { title: "Make greet() shout", body: "greet('Ada') should answer in capitals: HI, ADA!" }, MAINTAINER);
    env.sandbox.world.addLabels(repo, next, ["status:triage"], MAINTAINER);
    await env.runStage(repo, next, "status:triage");

    expect(statusLabels(next)).toEqual(["status:triaged"]);
    expect(builds(env)).toHaveLength(2);
    expect((await cachedBriefing(repo)).scout).toMatchObject({
      status: "failed",
      error: expect.stringContaining('none of the areas it named is a path of the repository ("lib/imaginary/")'),
    });
  }, 90_000);
});
