import { git } from "../../sandbox/github/git.js";
import { keys } from "../../src/runtime.js";
import { Briefing } from "../../src/knowledge/briefing.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, artifactsOf, statusLabels } from "../helpers/sandbox-issues.js";
import { CODE_AGENT, CODE_AGENT_ENV, FRENCH_ISSUE, GREET_FILES, frenchIssueIn, pushFiles } from "../helpers/greeter-repo.js";

const builds = (env: SandboxRuntime) => env.logs.filter((l) => l.includes('"msg":"briefing built"'));

describe("the scout briefing and read-only code", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime(CODE_AGENT_ENV);
  });
  afterEach(async () => {
    await env.close();
  });

  it("names src/greet.js in the builtin design, builds the briefing once per commit and again after a push", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "greeter", { files: GREET_FILES });
    const first = env.sandbox.world.createIssue(repo, FRENCH_ISSUE, MAINTAINER);
    const second = env.sandbox.world.createIssue(
      repo,
      { title: "Add a subtract function to the math helpers", body: "Next to add(), a subtract(a, b) that returns a - b, with a test." },
      MAINTAINER,
    );

    for (const issue of [first, second]) {
      env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
      await env.runStage(repo, issue, "status:triage");
      await env.runStage(repo, issue, "status:triaged");
      expect(statusLabels(issue)).toEqual(["status:ready"]);
    }

    const spec = artifactsOf(first, "design")[0]?.body ?? "";
    expect(spec).toMatch(/### Files to touch\n\n- `src\/greet\.js`/);
    expect(artifactsOf(second, "design")[0]?.body).toContain("`src/math.js`");
    // Four stages on one commit, one build; the status comment says which commit each used.
    expect(builds(env)).toHaveLength(1);
    const head = (await git(repo.gitDir, ["rev-parse", "main"])).trim();
    const status = first.comments.find((c) => c.body.startsWith("<!-- baton:status -->"))?.body ?? "";
    expect(status).toContain(`briefing \`${head.slice(0, 7)}\``);
    const cached = Briefing.parse(JSON.parse((await env.rt.redis.get(keys.briefing(env.rt, repo.id, head))) ?? "{}"));
    expect(cached.commands).toEqual(expect.arrayContaining([{ source: "package.json", name: "npm run test", run: "jest" }]));
    expect(cached.frameworks).toContain("jest");
    expect(cached.conventions[0]).toEqual({ path: "CONTRIBUTING.md", text: "Run npm test before every PR.\n" });

    // A stage looks the default branch's head up anew (the default reuses a lookup for 10 s).
    env.setEnv({ BATON_HEAD_FRESH: "0ms" });
    await pushFiles(repo, { "src/greet.js": "export function greet(name) {\n  return `Hi, ${name}!`;\n}\n" });
    const third = env.sandbox.world.createIssue(repo, { title: "Make greet() shout", body: "greet('Ada') should answer in capitals: HI, ADA!" }, MAINTAINER);
    env.sandbox.world.addLabels(repo, third, ["status:triage"], MAINTAINER);
    await env.runStage(repo, third, "status:triage");

    expect(builds(env)).toHaveLength(2);
    const after = (await git(repo.gitDir, ["rev-parse", "main"])).trim();
    const rebuilt = Briefing.parse(JSON.parse((await env.rt.redis.get(keys.briefing(env.rt, repo.id, after))) ?? "{}"));
    // Rebuilt from the previous commit's briefing: only the changed file was read again.
    expect(rebuilt).toMatchObject({ from_sha: head, changed_files: 1 });
  }, 60_000);

  /** A repository whose stages run the command agent, set to try writing to its checkout, and an issue at status:triage. */
  async function frenchIssueForWritingAgent() {
    env.setEnv({ BATON_AGENT_COMMAND: CODE_AGENT, CODE_AGENT_WRITE: "1" });
    const { repo, issue } = await frenchIssueIn(env, "defaults:\n  agent: { backend: command }\n");
    return { repo, issue };
  }

  it("runs a CLI agent in a read-only checkout that the OS sandbox does not let it write", async () => {
    const { repo, issue } = await frenchIssueForWritingAgent();

    const triage = await env.runStage(repo, issue, "status:triage");
    env.sandbox.world.setLabels(repo, issue, ["status:triaged"], MAINTAINER);
    await env.runStage(repo, issue, "status:triaged");

    expect(triage.result).toMatchObject({ action: "handed-off" });
    expect(artifactsOf(issue, "triage").at(-1)?.body).toContain("read_only=true");
    // Every write failed inside the sandbox (a read-only bind), so the agent wrote nothing.
    expect(artifactsOf(issue, "design").at(-1)?.body).toContain("Wrote: nothing");
    expect(env.logs.join("")).toContain("could not write src/greet.js: EROFS");
    expect(await git(repo.gitDir, ["show", "main:src/greet.js"])).toBe(GREET_FILES["src/greet.js"]);
  }, 60_000);

  it("without the OS sandbox, refuses what the agent wrote in the read-only checkout", async () => {
    await env.close();
    env = await createSandboxRuntime({ BATON_SANDBOX: "off" });
    const { repo, issue } = await frenchIssueForWritingAgent();

    const triage = await env.runStage(repo, issue, "status:triage");

    expect(triage.result).toMatchObject({ action: "blocked" });
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body ?? "";
    expect(blocked).toContain("the agent wrote to the read-only checkout (planted.txt, src/greet.js)");
    // Nothing reached the repository, and the next stage's checkout is clean.
    expect(await git(repo.gitDir, ["show", "main:src/greet.js"])).toBe(GREET_FILES["src/greet.js"]);
    env.setEnv({ CODE_AGENT_WRITE: undefined });
    // A worker would have finished the blocked job; run by hand, it is still waiting, and a
    // live job holds the issue (one stage at a time).
    await triage.job.remove();
    env.sandbox.world.setLabels(repo, issue, ["status:triage"], MAINTAINER);
    await env.runStage(repo, issue, "status:triage");
    env.sandbox.world.setLabels(repo, issue, ["status:triaged"], MAINTAINER);
    await env.runStage(repo, issue, "status:triaged");
    expect(artifactsOf(issue, "design").at(-1)?.body).toContain("Wrote: nothing");
  }, 60_000);
});
