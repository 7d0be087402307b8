import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "../../sandbox/github/git.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { designedIssue, newIssue, pullsOf, statusLabels } from "../helpers/sandbox-issues.js";

const ATTACK_AGENT = fileURLToPath(new URL("../fixtures/agents/attack-agent.mjs", import.meta.url));
const CONFIG = "stages:\n  implement:\n    agent: { backend: command }\n    preflight: []\n";

/**
 * Safe outputs: a `command` agent edits its checkout the way a prompt-injected model
 * would. Whatever it plants, Baton runs git only in a clone the agent never touched, pushes
 * only `baton/issue-<n>`, and refuses what must not land, saying so on the issue.
 */
describe("what an agent leaves in its checkout", () => {
  let env: SandboxRuntime;
  let markers: string;
  beforeEach(async () => {
    // The agent runs in the OS sandbox, whose environment starts empty: hand it its knobs.
    markers = await mkdtemp(join(tmpdir(), "baton-attack-"));
    // Baton's own environment on a real worker holds its secrets (the sandbox runtime's has
    // WEBHOOK_SECRET); a hook would see them.
    env = await createSandboxRuntime({ BATON_SANDBOX_PASS_ENV: "ATTACK,ATTACK_DIR", BATON_AGENT_COMMAND: ATTACK_AGENT, ATTACK_DIR: markers });
  });
  afterEach(async () => {
    await env.close();
    await rm(markers, { recursive: true, force: true });
  });

  const refs = async (repo: Repo) =>
    new Map(
      (await git(repo.gitDir, ["for-each-ref", "--format=%(refname) %(objectname)"]))
        .trim()
        .split("\n")
        .map((l) => l.split(" ") as [string, string]),
    );

  async function attack(mode: string): Promise<{ repo: Repo; issue: Issue; before: Map<string, string> }> {
    const { repo, issue } = await designedIssue(env, CONFIG);
    const before = await refs(repo);
    env.setEnv({ ATTACK: mode });
    await env.runStage(repo, issue, "status:ready");
    return { repo, issue, before };
  }

  /** After any attack: only baton/issue-1 moved, main is as it was, no hook ran, no secret was pushed. */
  async function expectContained(repo: Repo, before: Map<string, string>): Promise<void> {
    const after = await refs(repo);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((ref) => before.get(ref) !== after.get(ref));
    expect(changed.filter((ref) => ref !== "refs/heads/baton/issue-1")).toEqual([]);
    expect(after.get("refs/heads/main")).toBe(before.get("refs/heads/main"));
    expect(await readdir(markers)).toEqual([]);
    const blobs = await git(repo.gitDir, ["cat-file", "--batch-all-objects", "--batch"]);
    const tokens = [...env.sandbox.world.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [env.sandbox.webhookSecret, ...tokens, ...tokens.map((t) => Buffer.from(`x-access-token:${t}`).toString("base64"))]) {
      expect(blobs).not.toContain(secret);
    }
  }

  const blockedComment = (issue: Issue) => issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))?.body ?? "";

  it("never runs the hooks an agent plants in its .git (pre-push, post-commit)", async () => {
    const { repo, issue, before } = await attack("hooks");

    expect(statusLabels(issue)).toEqual(["status:in-review"]);
    expect(await git(repo.gitDir, ["show", "baton/issue-1:feature.md"])).toBe("the feature\n");
    await expectContained(repo, before);
    // Baton's push went out with a token for this repository's contents and nothing else.
    const pushes = env.sandbox.calls.filter((c) => c.route === "POST /{owner}/{repo}.git/git-receive-pack");
    expect(pushes.map((c) => c.token)).toEqual([{ permissions: { contents: "write", metadata: "read" }, repositoryIds: [repo.id] }]);
    await env.runStage(repo, issue, "status:in-review");
    expect(statusLabels(issue)).toEqual(["status:approved"]);
  }, 60_000);

  it("refuses a symlink into .git, so an fsmonitor command written through it never runs", async () => {
    const { repo, issue, before } = await attack("fsmonitor");

    expect(existsSync(join(markers, "fsmonitor"))).toBe(false);
    expect(statusLabels(issue)).toEqual(["status:blocked"]);
    expect(blockedComment(issue)).toContain("`gitdir`");
    expect(blockedComment(issue)).toContain("symbolic link into `.git`");
    expect(pullsOf(repo)).toHaveLength(0);
    await expectContained(repo, before);
  }, 60_000);

  it("refuses symlinks that lead out of the repository", async () => {
    const { repo, issue, before } = await attack("escape");

    expect(statusLabels(issue)).toEqual(["status:blocked"]);
    expect(blockedComment(issue)).toContain("`passwd` → `/etc/passwd`");
    expect(blockedComment(issue)).toContain("`up` → `../../`");
    expect(blockedComment(issue)).toContain("leads out of the repository");
    expect((await refs(repo)).has("refs/heads/baton/issue-1")).toBe(false);
    await expectContained(repo, before);
  }, 60_000);

  it("refuses workflow files unless the operator allows them", async () => {
    const { repo, issue, before } = await attack("workflow");

    expect(statusLabels(issue)).toEqual(["status:blocked"]);
    expect(blockedComment(issue)).toContain("`.github/workflows/x.yml`");
    expect(blockedComment(issue)).toContain("BATON_ALLOW_WORKFLOW_CHANGES");
    expect(pullsOf(repo)).toHaveLength(0);
    await expectContained(repo, before);
  }, 60_000);

  it("pushes workflow files when BATON_ALLOW_WORKFLOW_CHANGES=true", async () => {
    env.setEnv({ BATON_ALLOW_WORKFLOW_CHANGES: "true" });
    const { repo, issue, before } = await attack("workflow");

    expect(statusLabels(issue)).toEqual(["status:in-review"]);
    expect(await git(repo.gitDir, ["show", "baton/issue-1:.github/workflows/x.yml"])).toContain("echo pwned");
    await expectContained(repo, before);
  }, 60_000);
});

describe("a repository config that tries to widen its agent", () => {
  let env: SandboxRuntime;
  beforeEach(async () => {
    env = await createSandboxRuntime();
  });
  afterEach(() => env.close());

  it("is an invalid config when the app loads it: one comment naming the flag and the stage, nothing claimed", async () => {
    const { repo, issue } = await newIssue(env, 'stages:\n  implement:\n    agent: { backend: claude-code, args: ["--dangerously-skip-permissions"] }\n');

    await expect(env.runStage(repo, issue, "status:triage")).rejects.toThrow("invalid-config");

    expect(statusLabels(issue)).toEqual(["status:triage"]);
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]?.body).toContain(
      'stages.implement.agent.args[0]: stage "implement": flag "--dangerously-skip-permissions" changes the agent\'s permissions',
    );
  }, 30_000);
});
