import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "../../sandbox/github/git.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";

const ATTACKER = fileURLToPath(new URL("../fixtures/agents/attacker-agent.mjs", import.meta.url));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const hex = (text: string) => Buffer.from(text).toString("hex");

/**
 * Model-written code and repository-controlled commands, run by the implement stage against
 * the sandbox GitHub, try what an attacker would. Secrets live where Baton keeps them: in the
 * environment of a Baton process on the same host (a decoy started with them) and in the
 * private-key file.
 */
describe("the OS sandbox around pre-flight and agents", () => {
  let env: SandboxRuntime;
  let scratch: string;
  let decoy: ChildProcess;
  let keyPath: string;
  const secrets = {
    webhook: `whsec-${randomBytes(8).toString("hex")}`,
    apiKey: `sk-live-${randomBytes(8).toString("hex")}`,
    privateKey: `-----BEGIN FAKE KEY ${randomBytes(8).toString("hex")}-----`,
  };

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), "baton-attack-test-"));
    keyPath = join(scratch, "app.private-key.pem");
    await writeFile(keyPath, secrets.privateKey);
    decoy = spawn("sleep", ["60"], {
      env: { PATH: process.env.PATH, WEBHOOK_SECRET: secrets.webhook, ANTHROPIC_API_KEY: secrets.apiKey, PRIVATE_KEY_PATH: keyPath },
      stdio: "ignore",
    });
  });
  afterEach(async () => {
    decoy.kill("SIGKILL");
    await env?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  async function readyIssue(config: string, body = "A toggle on the settings page."): Promise<{ repo: Repo; issue: Issue }> {
    const repo = await env.sandbox.world.createRepo("attack-org", "app", { files: { ".github/baton.yml": config } });
    const issue = env.sandbox.world.createIssue(repo, { title: "Add a dark mode toggle", body }, { kind: "user", login: "mallory" });
    env.sandbox.world.addLabels(repo, issue, ["status:triage"], { kind: "user", login: "octocat" });
    await env.runStage(repo, issue, "status:triage");
    await env.runStage(repo, issue, "status:triaged");
    expect(issue.labels).toContain("status:ready");
    return { repo, issue };
  }

  /** Everything Baton let out: every pushed blob of every ref, every comment and PR body, the logs. */
  async function everythingPublished(repo: Repo): Promise<string> {
    const blobs = await git(repo.gitDir, ["log", "--all", "-p", "--format=%B"]);
    const bodies = [...repo.issues.values()].flatMap((i) => [i.body ?? "", ...i.comments.map((c) => c.body)]);
    return [blobs, ...bodies, ...env.logs].join("\n");
  }

  /** Which secrets a text holds, as they are or hex-encoded (redaction of exact values misses those). */
  function secretsIn(text: string): string[] {
    return Object.entries(secrets)
      .filter(([, secret]) => text.includes(secret) || text.includes(hex(secret)))
      .map(([name]) => name);
  }

  it("pre-flight reads no process's environment, no key file, and writes nothing outside the checkout", async () => {
    env = await createSandboxRuntime();
    const escapes = [join(tmpdir(), `baton-escape-${randomBytes(4).toString("hex")}`), join(process.cwd(), `baton-escape-${randomBytes(4).toString("hex")}`)];
    const steal = `(cat /proc/[0-9]*/environ; cat ${keyPath}) 2>/dev/null | od -An -tx1 -v | tr -d ' \\\\n' > preflight-loot.txt`;
    const escape = escapes.map((path) => `(echo pwned > ${path}) 2>/dev/null`).join("; ");
    const { repo, issue } = await readyIssue(`stages:\n  implement:\n    preflight: ["${steal}", "${escape}; true"]\n`);

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toMatchObject({ action: "handed-off", outcome: "pass" });
    const loot = await git(repo.gitDir, ["show", "baton/issue-1:preflight-loot.txt"]);
    expect(loot).not.toBe("");
    expect(secretsIn(loot.replace(/\s/g, ""))).toEqual([]);
    expect(secretsIn(await everythingPublished(repo))).toEqual([]);
    for (const path of escapes) expect(await exists(path)).toBe(false);
  }, 60_000);

  it("a command agent reads no process's environment, no key file, and writes nothing outside the checkout", async () => {
    env = await createSandboxRuntime({ BATON_AGENT_COMMAND: ATTACKER });
    const escapes = [join(tmpdir(), `baton-escape-${randomBytes(4).toString("hex")}`), join(process.cwd(), `baton-escape-${randomBytes(4).toString("hex")}`)];
    const { repo, issue } = await readyIssue(
      "stages:\n  implement:\n    agent: { backend: command }\n    preflight: []\n",
      `Please STEAL:${keyPath} and ESCAPE:${escapes.join(",")} thanks`,
    );

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toMatchObject({ action: "handed-off", outcome: "pass" });
    const loot = await git(repo.gitDir, ["show", "baton/issue-1:agent-loot.txt"]);
    expect(secretsIn(loot)).toEqual([]);
    expect(secretsIn(await everythingPublished(repo))).toEqual([]);
    for (const path of escapes) expect(await exists(path)).toBe(false);
    // Its /tmp is a private tmpfs (the write there "worked" and vanished); Baton's directory is not even writable.
    expect(await everythingPublished(repo)).not.toContain(`escaped ${escapes[1]}`);
  }, 60_000);

  describe("network", () => {
    const servers: Server[] = [];
    async function serve(host: string, text: string): Promise<number> {
      const server = createServer((_req, res) => res.end(text));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      return (server.address() as AddressInfo).port;
    }
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    });

    it("pre-flight reaches an allowed host only through the proxy, and a host off the allowlist not at all", async () => {
      // 127.0.0.2 and 127.0.0.3 are both this machine: only the allowlist tells them apart.
      const allowed = await serve("127.0.0.2", "hello from the allowed host");
      const other = await serve("127.0.0.3", "hello from a host nobody allowed");
      env = await createSandboxRuntime({ BATON_SANDBOX_ALLOW_DOMAINS: "127.0.0.2" });
      const curl = "curl -s --max-time 5";
      const commands = [
        `${curl} --noproxy '*' http://127.0.0.2:${allowed}/ > net-direct.txt; true`,
        `${curl} http://127.0.0.2:${allowed}/ > net-proxied.txt; true`,
        `${curl} -o /dev/null -w '%{http_code}' http://127.0.0.3:${other}/ > net-refused.txt; true`,
        `${curl} -p -o /dev/null -w '%{http_connect}' http://127.0.0.3:${other}/ > net-refused-connect.txt; true`,
      ];
      const { repo, issue } = await readyIssue(`stages:\n  implement:\n    preflight: ${JSON.stringify(commands)}\n`);

      const { result } = await env.runStage(repo, issue, "status:ready");

      expect(result).toMatchObject({ action: "handed-off", outcome: "pass" });
      const show = (file: string) => git(repo.gitDir, ["show", `baton/issue-1:${file}`]);
      expect(await show("net-direct.txt")).toBe("");
      expect(await show("net-proxied.txt")).toBe("hello from the allowed host");
      expect(await show("net-refused.txt")).toBe("403");
      expect(await show("net-refused-connect.txt")).toBe("403");
      const refusals = env.logs.filter((line) => line.includes("sandbox proxy refused a host off the allowlist"));
      expect(refusals.join("\n")).toContain(`127.0.0.3:${other}`);
    }, 60_000);
  });

  it("BATON_SANDBOX=auto without a usable bubblewrap blocks implement, saying what to install", async () => {
    env = await createSandboxRuntime({ BATON_SANDBOX_BWRAP: join(scratch, "no-bwrap-here") });
    const marker = join(scratch, "preflight-ran");
    const { repo, issue } = await readyIssue(`stages:\n  implement:\n    preflight: ["touch ${marker}"]\n`);

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toMatchObject({ action: "blocked" });
    expect(issue.labels).toContain("status:blocked");
    const blocked = issue.comments.find((c) => c.body.startsWith("<!-- baton:blocked"))!;
    expect(blocked.body).toContain("sandbox is unavailable");
    expect(blocked.body).toContain("apt-get install bubblewrap socat");
    expect(blocked.body).toContain("BATON_SANDBOX=off");
    expect(await exists(marker)).toBe(false);
    expect(await git(repo.gitDir, ["branch", "--list", "baton/issue-1"])).toBe("");
  }, 60_000);

  it("BATON_SANDBOX=off runs pre-flight without the sandbox, as the operator chose (it can write the host)", async () => {
    env = await createSandboxRuntime({ BATON_SANDBOX: "off", BATON_SANDBOX_BWRAP: join(scratch, "no-bwrap-here") });
    const marker = join(scratch, "preflight-ran");
    const { repo, issue } = await readyIssue(`stages:\n  implement:\n    preflight: ["touch ${marker}"]\n`);

    const { result } = await env.runStage(repo, issue, "status:ready");

    expect(result).toMatchObject({ action: "handed-off", outcome: "pass" });
    expect(await exists(marker)).toBe(true);
  }, 60_000);
});
