import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, artifactsOf, newIssue, statusLabels } from "../helpers/sandbox-issues.js";

/**
 * GitHub's limits (docs/architecture.md §9) against the sandbox: each kind of limited answer is waited
 * out and retried, and the stage still ends with one artifact and one status comment.
 */
describe("GitHub rate limits during a stage", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(async () => {
    await env.close();
  });

  async function triageUnder(fault: () => void) {
    const { repo, issue } = await newIssue(env);
    fault();
    const started = Date.now();
    const { result } = await env.runStage(repo, issue, "status:triage");
    return { issue, result, seconds: (Date.now() - started) / 1000 };
  }
  const limitedLogs = () => env.logs.filter((l) => l.includes("GitHub rate limit on")).length;
  const statusComments = (issue: { comments: { body: string }[] }) => issue.comments.filter((c) => c.body.startsWith("<!-- baton:status"));

  it.each([
    ["a 429 with retry-after", () => env.sandbox.faults.rateLimit(1, { status: 429, retryAfter: 1, method: "POST" })],
    ["a secondary limit (403) with retry-after", () => env.sandbox.faults.rateLimit(2, { status: 403, retryAfter: 1, method: "POST" })],
    ["a secondary limit (403) without retry-after", () => env.sandbox.faults.rateLimit(1, { status: 403, method: "POST" })],
    ["the primary limit spent until its reset", () => env.sandbox.faults.exhaustPrimary(2, 1)],
  ])(
    "waits out %s and finishes once",
    async (_name, fault) => {
      const { issue, result, seconds } = await triageUnder(fault);

      expect(result).toEqual({ action: "handed-off", outcome: "pass", label: "status:triaged" });
      expect(statusLabels(issue)).toEqual(["status:triaged"]);
      expect(artifactsOf(issue, "triage")).toHaveLength(1);
      expect(statusComments(issue)).toHaveLength(1);
      expect(limitedLogs()).toBeGreaterThan(0);
      // It waited for the limit rather than hammering through it.
      expect(seconds).toBeGreaterThanOrEqual(0.9);
    },
    30_000,
  );

  it("delays only the installation that hit its limit", async () => {
    const limited = await newIssue(env, "", "limited");
    const otherRepo = await env.sandbox.world.createRepo("other-org", "app", { files: {} });
    const otherIssue = env.sandbox.world.createIssue(
      otherRepo,
      { title: "Add a search box", body: "Search across all projects from the top bar." },
      MAINTAINER,
    );
    env.sandbox.world.addLabels(otherRepo, otherIssue, ["status:triage"], MAINTAINER);
    env.sandbox.faults.rateLimit(1, { status: 403, retryAfter: 3, method: "POST", path: "^/repos/acme/" });

    const finished: string[] = [];
    await Promise.all([
      env.runStage(limited.repo, limited.issue, "status:triage").then(() => finished.push("acme")),
      env.runStage(otherRepo, otherIssue, "status:triage").then(() => finished.push("other-org")),
    ]);

    expect(finished).toEqual(["other-org", "acme"]);
    expect(statusLabels(limited.issue)).toEqual(["status:triaged"]);
    expect(statusLabels(otherIssue)).toEqual(["status:triaged"]);
  }, 30_000);
});
