import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { initRepo } from "../../sandbox/github/git.js";
import { parseConfigText } from "../../src/config/parse-config.js";
import type { Pipeline } from "../../src/config/resolve-pipeline.js";
import { renderArtifact } from "../../src/github/artifacts.js";
import type { IssueComment } from "../../src/github/types.js";
import { addToKnowledge, loadKnowledge } from "../../src/knowledge/knowledge-index.js";
import { loadBriefing } from "../../src/knowledge/load-briefing.js";
import { keys } from "../../src/runtime.js";
import { GREET_FILES } from "../helpers/greeter-repo.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";

const run = promisify(execFile);

function pipelineOf(yaml: string): Pipeline {
  const parsed = parseConfigText(yaml, {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.pipeline;
}

/** Concurrent writers of what is shared by commit or by repository: nothing is done twice, nothing is lost. */
describe("shared knowledge under concurrency", () => {
  let env: SandboxRuntime;
  let root: string;
  let checkout: { agentCopy: () => Promise<string>; clone: string; sha: string };
  beforeEach(async () => {
    env = await createSandboxRuntime();
    root = await mkdtemp(join(tmpdir(), "build-once-"));
    await initRepo(join(root, "origin.git"), "main", GREET_FILES);
    const dir = join(root, "clone");
    await run("git", ["clone", "--quiet", join(root, "origin.git"), dir]);
    checkout = { agentCopy: async () => dir, clone: dir, sha: (await run("git", ["-C", dir, "rev-parse", "HEAD"])).stdout.trim() };
  });
  afterEach(async () => {
    await env.close();
    await rm(root, { recursive: true, force: true });
  });

  const repo = { repoId: 7, owner: "acme", repo: "greeter" };
  const pipeline = pipelineOf("scout:\n  agent: { backend: builtin }\n");

  it("builds one commit's briefing once when two stages load it at the same time, the scout's pass included", async () => {
    // A scout that takes a moment: the second load arrives while the first builds.
    env.setEnv({ BATON_BUILTIN_DELAY: "300ms" });

    const loads = await Promise.all([1, 2].map(() => loadBriefing(env.rt, repo, checkout, { pipeline })));

    expect(loads.map((l) => l.built).sort()).toEqual([false, true]);
    expect(env.logs.filter((l) => l.includes('"msg":"briefing built"'))).toHaveLength(1);
    expect(loads[0]?.briefing).toEqual(loads[1]?.briefing);
    expect(loads[0]?.briefing.scout?.status).toBe("summarized");
    // Only the one that ran the scout reports paying for it.
    expect(loads.filter((l) => l.scoutUsage !== undefined)).toHaveLength(1);
    expect(await env.rt.redis.exists(keys.briefingLock(env.rt, repo.repoId, checkout.sha))).toBe(0);
  }, 30_000);

  it("takes over a lock whose builder died once it expires", async () => {
    await env.rt.redis.set(keys.briefingLock(env.rt, repo.repoId, checkout.sha), "a builder that died", "PX", 500);

    const loaded = await loadBriefing(env.rt, repo, checkout);

    expect(loaded).toMatchObject({ built: true, briefing: { sha: checkout.sha } });
    expect(loaded.briefing.scout).toBeUndefined();
  }, 30_000);

  it("caches nothing and frees the lock when the stage is stopped during the scout's pass", async () => {
    env.setEnv({ BATON_BUILTIN_DELAY: "10s" });
    const stop = new AbortController();
    const loading = loadBriefing(env.rt, repo, checkout, { pipeline, signal: stop.signal });
    // Stopped once a build holds the lock (the scout's pass waits 10 s in it).
    while (!(await env.rt.redis.exists(keys.briefingLock(env.rt, repo.repoId, checkout.sha)))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop.abort(new Error("stopped by /baton stop"));

    await expect(loading).rejects.toThrow();
    expect(await env.rt.redis.exists(keys.briefing(env.rt, repo.repoId, checkout.sha))).toBe(0);
    expect(await env.rt.redis.exists(keys.briefingLock(env.rt, repo.repoId, checkout.sha))).toBe(0);
    // The next stage builds it (deterministic part and scout) as if nothing had happened.
    env.setEnv({ BATON_BUILTIN_DELAY: "0ms" });
    expect((await loadBriefing(env.rt, repo, checkout, { pipeline })).briefing.scout?.status).toBe("summarized");
  }, 30_000);

  it("loses no entry when several merges add to a repository's knowledge index at once", async () => {
    const sandboxRepo = await env.sandbox.world.createRepo("acme", "greeter", { files: GREET_FILES });
    const installationId = env.sandbox.world.state.installationFor(sandboxRepo.owner)!.id;
    const github = await env.rt.auth(installationId);
    const ref = { repoId: sandboxRepo.id, owner: sandboxRepo.owner, repo: sandboxRepo.name };
    const app = await env.rt.appIdentity();
    // An index an older Baton stored (one serialised string) is replaced by a rebuild; then
    // the index exists (empty: nothing merged yet), and each merge adds its lessons to it.
    await env.rt.redis.set(keys.knowledge(env.rt, ref.repoId), '{"documentCount":0}');
    const migrated = await loadKnowledge(env.rt, github, ref);
    expect([migrated.rebuilt, migrated.index.size]).toEqual([true, 0]);
    // Loaded once from the hash: this process keeps that index until a write changes the hash.
    expect((await loadKnowledge(env.rt, github, ref)).index.size).toBe(0);
    const lessonsOf = (n: number): IssueComment[] => [
      {
        id: 1000 + n,
        html_url: `http://example.test/acme/greeter/issues/${n}#issuecomment-${1000 + n}`,
        user: { login: app.botLogin, type: "Bot" },
        body: renderArtifact("lessons", 1, "## 📚 Lessons", {
          run_id: `lessons-pr${n}`,
          kind: "lessons",
          outcome: "pass",
          lessons: [{ kind: "worked", text: `merge number ${n} went well`, areas: ["src/greet.js"] }],
        }),
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
      },
    ];

    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => addToKnowledge(env.rt, github, ref, lessonsOf(n))));

    const { index, rebuilt } = await loadKnowledge(env.rt, github, ref);
    expect(rebuilt).toBe(false);
    expect(index.size).toBe(8);
    expect(
      index
        .find("merge went well", { limit: 10 })
        .map((d) => d.issue)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }, 30_000);
});
