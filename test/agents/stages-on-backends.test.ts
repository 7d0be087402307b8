import { fileURLToPath } from "node:url";
import { git } from "../../sandbox/github/git.js";
import { STATUS_MARKER } from "../../src/github/status-comment.js";
import { FakeModelApi } from "../helpers/fake-model-api.js";
import { FAKE_AGENT_VARS } from "../helpers/fake-agent-sandbox.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER, designedIssue, implementedIssue, pullsOf, statusLabels } from "../helpers/sandbox-issues.js";
import { recordFeedback } from "../../src/stages/human-feedback.js";

const FAKE_CLI = fileURLToPath(new URL("../fixtures/agents/fake-agent-cli.mjs", import.meta.url));
const json = (value: unknown) => `Done.\n\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

/**
 * The implement stage on real backends against the sandbox (real clone, push and PR): an
 * API agent answers with whole files, a CLI agent edits the checkout.
 */
describe("the implement stage on an API backend and on a CLI backend", () => {
  let env: SandboxRuntime;
  let api: FakeModelApi;
  beforeEach(async () => {
    env = await createSandboxRuntime({ BATON_SANDBOX_PASS_ENV: FAKE_AGENT_VARS.join(",") });
    api = await FakeModelApi.start();
  });
  afterEach(async () => {
    await api.close();
    await env.close();
  });

  const statusOf = (issue: { comments: { body: string }[] }) => issue.comments.find((c) => c.body.startsWith(STATUS_MARKER))?.body ?? "";

  it("writes the files an OpenAI-compatible model returns, showing it the files the spec names", async () => {
    api.reply({
      text: json({
        summary: "Added the toggle.",
        commit_message: "Add a dark mode toggle",
        files: [{ path: "src/dark-mode.ts", content: "export const darkMode = true;\n" }],
      }),
      input_tokens: 900,
      output_tokens: 120,
    });
    const { repo, issue } = await designedIssue(env, `stages:\n  implement:\n    agent: { backend: openai, model: gpt-fake, base_url: "${api.url}/v1" }\n`);

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toEqual({ action: "handed-off", outcome: "pass", label: "status:in-review" });
    expect(await git(repo.gitDir, ["show", "baton/issue-1:src/dark-mode.ts"])).toBe("export const darkMode = true;\n");
    expect(await git(repo.gitDir, ["log", "-1", "--format=%s", "baton/issue-1"])).toContain("Add a dark mode toggle");
    expect(pullsOf(repo)).toHaveLength(1);
    // The builtin design named docs/baton/issue-1.md; the model was told it does not exist yet.
    const prompt = JSON.stringify(api.completions[0]?.body);
    expect(prompt).toContain("### docs/baton/issue-1.md");
    expect(prompt).toContain("(does not exist yet)");
    expect(statusOf(issue)).toMatch(/\| implement \| ✅ passed \| openai · gpt-fake \|.*\| 900 \/ 120 \|/);
  }, 40_000);

  it("shows the reviewer what a person asked for on the PR", async () => {
    const { repo, issue } = await implementedIssue(env, `stages:\n  review:\n    agent: { backend: openai, model: gpt-fake, base_url: "${api.url}/v1" }\n`);
    const pull = pullsOf(repo)[0]!;
    const ref = {
      installationId: env.sandbox.world.state.installationFor(repo.owner)!.id,
      repoId: repo.id,
      owner: repo.owner,
      repo: repo.name,
      number: issue.number,
    };
    await recordFeedback(await env.rt.auth(ref.installationId), ref, [], {
      kind: "human-review",
      pr: pull.number,
      prUrl: "http://example.invalid/pr",
      sourceKey: "review-1",
      heading: "Changes asked for",
      requests: [{ source: "comment", author: "octocat", path: "docs/baton/issue-1.md", line: 1, text: "Name the settings page in the title." }],
    });
    api.reply({ text: json({ verdict: "approved", summary: "Done.", criteria: [] }), input_tokens: 10, output_tokens: 5 });
    env.sandbox.world.setLabels(repo, issue, ["status:in-review"], MAINTAINER);

    await env.runStage(repo, issue, "status:in-review");

    const prompt = JSON.stringify(api.completions[0]?.body);
    expect(prompt).toContain("What people asked for on the pull request");
    expect(prompt).toContain("Name the settings page in the title.");
  }, 40_000);

  it("blocks, writing nothing, when a model asks to write outside the checkout", async () => {
    api.reply({ text: json({ summary: "Sneaky.", files: [{ path: "../../escape.txt", content: "x" }] }) });
    const { repo, issue } = await designedIssue(env, `stages:\n  implement:\n    agent: { backend: openai, model: gpt-fake, base_url: "${api.url}/v1" }\n`);

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toMatchObject({ action: "blocked" });
    expect(statusLabels(issue)).toEqual(["status:blocked"]);
    expect(issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body).toContain("outside the repository checkout");
    expect(pullsOf(repo)).toHaveLength(0);
  }, 40_000);

  it("lets a claude-code agent edit the checkout, and shows the cost it reported", async () => {
    env.setEnv({ BATON_CLAUDE_BIN: FAKE_CLI, FAKE_AGENT_EDIT: "from-claude.md", FAKE_AGENT_ANSWER: json({ summary: "Edited the checkout." }) });
    const { repo, issue } = await designedIssue(env, "stages:\n  implement:\n    agent: { backend: claude-code, model: sonnet }\n");

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toEqual({ action: "handed-off", outcome: "pass", label: "status:in-review" });
    expect(await git(repo.gitDir, ["show", "baton/issue-1:from-claude.md"])).toBe("edited by the fake agent\n");
    expect(statusOf(issue)).toMatch(/\| implement \| ✅ passed \| claude-code · sonnet \|/);
    expect(statusOf(issue)).toContain("$0.0014");
  }, 40_000);

  describe("a repository's own prompt template (`prompt:`)", () => {
    async function triageWith(files: Record<string, string>) {
      const repo = await env.sandbox.world.createRepo("acme", "prompts", { files });
      const issue = env.sandbox.world.createIssue(
        repo,
        { title: "Add a dark mode toggle", body: "A toggle on the settings page that switches to a dark theme." },
        MAINTAINER,
      );
      env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
      const { result } = await env.runStage(repo, issue, "status:triage");
      return { issue, result };
    }
    const config = () =>
      `stages:\n  triage:\n    prompt: .github/baton/triage.md\n    agent: { backend: openai, model: gpt-fake, base_url: "${api.url}/v1" }\n`;

    it("replaces the built-in template, filled from the same context", async () => {
      api.reply({ text: json({ outcome: "pass", type: "feature", priority: "p2", size: "s", brief: "A toggle." }) });

      const { result } = await triageWith({ ".github/baton.yml": config(), ".github/baton/triage.md": "OUR HOUSE RULES for {{issue.title}}" });

      expect(result).toEqual({ action: "handed-off", outcome: "pass", label: "status:triaged" });
      const prompt = JSON.stringify(api.completions[0]?.body);
      expect(prompt).toContain("OUR HOUSE RULES for Add a dark mode toggle");
      expect(prompt).not.toContain("You are the triage stage of Baton");
    }, 30_000);

    it("blocks, saying which file is missing, when the template is not in the repository", async () => {
      const { issue, result } = await triageWith({ ".github/baton.yml": config() });

      expect(result).toMatchObject({ action: "blocked" });
      expect(issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body).toContain(
        "stages.triage.prompt names `.github/baton/triage.md`, which is not on the repository's default branch",
      );
      expect(api.completions).toHaveLength(0);
    }, 30_000);
  });
});
