import { parseConfig } from "../../src/config/parse-config.js";
import { keys } from "../../src/runtime.js";
import { recordLessons } from "../../src/stages/lessons.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, artifactsOf, pullsOf, statusLabels } from "../helpers/sandbox-issues.js";
import { CODE_AGENT, CODE_AGENT_ENV, FRENCH_ISSUE, GREET_FILES, frenchIssueIn } from "../helpers/greeter-repo.js";

/** Lessons written after a merge, searched by the next issue, and rebuilt from GitHub when Redis loses them. */
describe("lessons and the knowledge index", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime(CODE_AGENT_ENV);
  });
  afterEach(async () => {
    await env.close();
  });

  it("turns a merged PR's revision into a lesson that the next issue's design prompt cites by link", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "greeter", { files: GREET_FILES });
    const first = env.sandbox.world.createIssue(repo, FRENCH_ISSUE, MAINTAINER);
    env.sandbox.world.addLabels(repo, first, ["status:triage"], MAINTAINER);
    for (const label of ["status:triage", "status:triaged", "status:ready"]) await env.runStage(repo, first, label);
    env.setEnv({ BATON_BUILTIN_REVIEW_VERDICT: "needs-changes" });
    await env.runStage(repo, first, "status:in-review");
    await env.runStage(repo, first, "status:ready");
    env.setEnv({ BATON_BUILTIN_REVIEW_VERDICT: "approved" });
    await env.runStage(repo, first, "status:in-review");
    expect(statusLabels(first)).toEqual(["status:approved"]);
    const [pull] = pullsOf(repo);
    await env.sandbox.world.mergePull(repo, pull!, MAINTAINER);

    const installationId = env.sandbox.world.state.installationFor(repo.owner)!.id;
    const github = await env.rt.auth(installationId);
    const ref = { installationId, repoId: repo.id, owner: repo.owner, repo: repo.name, number: first.number };
    const parsed = parseConfig(undefined, {});
    if (!parsed.ok) throw new Error("default config invalid");
    await recordLessons(env.rt, github, ref, parsed.pipeline, pull!.number);

    const lessons = artifactsOf(first, "lessons")[0];
    // The revision's cause: the criterion the review failed.
    expect(lessons?.body).toMatch(/Revision 1 was sent back by the review: .*docs\/baton\/issue-1\.md/);
    expect(lessons?.body).toContain("areas: `src/greet.js`");
    expect(statusLabels(first)).toEqual(["status:done"]);

    // The next issue about greet(): its design prompt (a command agent quoting it) holds the lesson and its link.
    env.setEnv({ BATON_AGENT_COMMAND: CODE_AGENT, CODE_AGENT_ECHO: "1" });
    const next = env.sandbox.world.createIssue(
      repo,
      { title: "Make greet() say hello in German", body: "greet('Ada') should answer 'Hallo, Ada!' when asked in German." },
      MAINTAINER,
    );
    env.sandbox.world.addLabels(repo, next, ["status:triage"], MAINTAINER);
    await env.runStage(repo, next, "status:triage");
    env.sandbox.world.addLabels(repo, next, ["agent:command"], MAINTAINER);
    await env.runStage(repo, next, "status:triaged");
    const spec = artifactsOf(next, "design")[0]?.body ?? "";
    expect(spec).toContain("## Lessons from earlier issues in this repository");
    expect(spec).toMatch(/Revision 1 was sent back by the review.* — from #1: http\S+\/issues\/1#issuecomment-\d+/);
    const status = next.comments.find((c) => c.body.startsWith("<!-- baton:status -->"))?.body ?? "";
    expect(status).toMatch(/lessons \[1\]\(http\S+issuecomment-\d+\)/);

    // Redis loses the index: the next search rebuilds it from the app's comments on GitHub.
    await env.rt.redis.del(keys.knowledge(env.rt, repo.id));
    const third = env.sandbox.world.createIssue(
      repo,
      { title: "Make greet() say hello in Spanish", body: "greet('Ada') should answer 'Hola, Ada!' in Spanish please." },
      MAINTAINER,
    );
    env.sandbox.world.addLabels(repo, third, ["status:triage"], MAINTAINER);
    await env.runStage(repo, third, "status:triage");
    expect(env.logs.filter((l) => l.includes("knowledge index rebuilt from GitHub"))).not.toHaveLength(0);
    const thirdStatus = third.comments.find((c) => c.body.startsWith("<!-- baton:status -->"))?.body ?? "";
    expect(thirdStatus).toMatch(/lessons \[1\]\(http\S+\/issues\/1#issuecomment-\d+\)/);
  }, 90_000);

  it("blocks an issue whose spend reaches budget_usd, showing the spend", async () => {
    env.setEnv({ BATON_AGENT_COMMAND: CODE_AGENT, CODE_AGENT_COST: "0.02" });
    const { repo, issue } = await frenchIssueIn(env, "defaults:\n  agent: { backend: command }\n  budget_usd: 0.01\n");

    await env.runStage(repo, issue, "status:triage");
    const { result } = await env.runStage(repo, issue, "status:triaged");

    expect(result).toMatchObject({ action: "blocked" });
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body ?? "";
    expect(blocked).toContain("this issue has spent $0.02 (triage $0.02), which reaches its budget of $0.01; the design stage did not start.");
    expect(artifactsOf(issue, "design")).toHaveLength(0);
  }, 60_000);
});
