import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createAppAuth } from "@octokit/auth-app";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import type { Repo } from "../../sandbox/github/state.js";

const run = promisify(execFile);

/**
 * The sandbox honours what a token was minted for, as GitHub does: its repositories
 * (`repositories` / `repository_ids`) and its permissions. This is what lets the
 * implement tests prove that Baton's git token can reach one repository's contents only.
 */
describe("a minted installation token in the sandbox", () => {
  let sandbox: Sandbox;
  let scratch: string;
  let app: Repo;
  let other: Repo;
  beforeAll(async () => {
    sandbox = await startSandbox({ log: () => {} });
    app = await sandbox.world.createRepo("scoped", "app");
    other = await sandbox.world.createRepo("scoped", "other");
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), "baton-scope-"));
  });
  afterEach(() => rm(scratch, { recursive: true, force: true }));

  async function mint(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, any> }> {
    const { token: jwt } = await createAppAuth({ appId: sandbox.appId, privateKey: sandbox.privateKeyPem })({ type: "app" });
    const installation = sandbox.world.state.installationFor("scoped")!.id;
    const res = await fetch(`${sandbox.apiUrl}/app/installations/${installation}/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  const gitEnv = (token: string) => ({
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
  });
  const repoUrl = (repo: Repo) => `${sandbox.url}/${repo.owner}/${repo.name}.git`;

  /** Commits one file on a fresh branch and pushes it to `repo` with `token`. */
  async function push(repo: Repo, token: string): Promise<{ ok: boolean; stderr: string }> {
    const dir = await mkdtemp(join(scratch, "push-"));
    const env = { ...gitEnv(token), GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
    await run("git", ["init", "--quiet", "--initial-branch", "work", dir]);
    await writeFile(join(dir, "x.txt"), "x\n");
    await run("git", ["-C", dir, "add", "x.txt"], { env });
    await run("git", ["-C", dir, "commit", "--quiet", "-m", "x"], { env });
    return run("git", ["-C", dir, "push", "--quiet", repoUrl(repo), `work:refs/heads/pushed-${Date.now()}`], { env }).then(
      () => ({ ok: true, stderr: "" }),
      (error: { stderr?: string }) => ({ ok: false, stderr: String(error.stderr) }),
    );
  }

  const receivePacks = (status: number) => sandbox.calls.filter((c) => c.route.includes("git-receive-pack") && c.status === status);

  it("mints a token for the named repository with only the permissions asked for, in GitHub's response shape", async () => {
    const { status, json } = await mint({ repositories: ["app"], permissions: { contents: "write" } });

    expect(status).toBe(201);
    expect(json.permissions).toEqual({ contents: "write", metadata: "read" });
    expect(json.repository_selection).toBe("selected");
    expect(json.repositories.map((r: { full_name: string }) => r.full_name)).toEqual(["scoped/app"]);
    expect(sandbox.world.state.tokens.get(json.token)).toMatchObject({ permissions: { contents: "write", metadata: "read" }, repositoryIds: [app.id] });
  });

  it("refuses to mint for a repository outside the installation or beyond its permissions (422)", async () => {
    expect((await mint({ repositories: ["nope"] })).status).toBe(422);
    expect((await mint({ permissions: { administration: "write" } })).status).toBe(422);
  });

  it("lets a token push to its own repository, and refuses it on another one with 403", async () => {
    const { json } = await mint({ repository_ids: [app.id], permissions: { contents: "write" } });

    expect(await push(app, json.token)).toEqual({ ok: true, stderr: "" });
    const refused = await push(other, json.token);
    expect(refused.ok).toBe(false);
    expect(refused.stderr).toContain("403");
    expect(receivePacks(403).length).toBeGreaterThan(0);
  });

  it("refuses a push with a token that may only read contents (403)", async () => {
    const { json } = await mint({ repositories: ["app"], permissions: { contents: "read" } });

    const refused = await push(app, json.token);

    expect(refused.ok).toBe(false);
    expect(refused.stderr).toContain("403");
    await expect(run("git", ["ls-remote", repoUrl(app)], { env: gitEnv(json.token) })).resolves.toMatchObject({
      stdout: expect.stringContaining("refs/heads/main"),
    });
  });

  it("refuses REST writes a contents-only token does not cover, and hides other repositories", async () => {
    const { json } = await mint({ repositories: ["app"], permissions: { contents: "write" } });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${sandbox.apiUrl}${path}`, {
        method,
        headers: { authorization: `token ${json.token}`, "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });

    expect((await api("GET", "/repos/scoped/app")).status).toBe(200);
    expect((await api("GET", "/repos/scoped/other")).status).toBe(404);
    const comment = await api("POST", "/repos/scoped/app/issues", { title: "from a contents-only token" });
    expect(comment.status).toBe(403);
    expect(((await comment.json()) as { message: string }).message).toBe("Resource not accessible by integration");
    expect((await api("POST", "/repos/scoped/app/pulls", { title: "t", head: "x", base: "main" })).status).toBe(403);
    expect((await api("GET", "/repos/scoped/app/contents/README.md")).status).toBe(200);
  });
});
