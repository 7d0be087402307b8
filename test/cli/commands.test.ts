import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** The real `baton` executable against the sandbox and real Redis. */
describe("baton run, status, events, doctor", () => {
  let sandbox: Sandbox;
  const prefix = `baton-cli-${randomBytes(4).toString("hex")}`;
  const baton = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const env = {
        ...extraEnv,
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        APP_ID: String(sandbox.appId),
        PRIVATE_KEY: sandbox.privateKeyPem,
        WEBHOOK_SECRET: sandbox.webhookSecret,
        GHE_HOST: sandbox.host,
        GHE_PROTOCOL: "http",
        REDIS_URL,
        BATON_REDIS_PREFIX: prefix,
        BATON_DEFAULT_BACKEND: "builtin",
      };
      execFile(process.execPath, [join(ROOT, "bin", "baton.js"), ...args], { env, cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ log: () => {} });
  });
  afterAll(async () => {
    await sandbox.close();
    const redis = new Redis(REDIS_URL);
    for await (const found of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) if (found.length) await redis.del(...found);
    await redis.quit();
  });

  it("prints the plan with --dry-run and writes nothing", async () => {
    const repo = await sandbox.world.createRepo("cli-org", "dry");
    const issue = sandbox.world.createIssue(
      repo,
      { title: "Add export", body: "Export the settings as a JSON file from the settings page." },
      { kind: "user", login: "octocat" },
    );
    const before = sandbox.calls.length;

    const { code, out } = await baton(["run", "--repo", "cli-org/dry", "--issue", String(issue.number), "--dry-run"]);

    expect(code).toBe(0);
    expect(out).toMatch(/triage\s+status:triage → status:triaging → pass: status:triaged/);
    expect(out).toContain("[agent: builtin]");
    expect(out).toMatch(/review\s+status:in-review/);
    expect(sandbox.calls.slice(before).filter((c) => c.method !== "GET" && !c.path.includes("access_tokens"))).toEqual([]);
  }, 60_000);

  it("takes an issue all the way from this process, then shows its status and events", async () => {
    const repo = await sandbox.world.createRepo("cli-org", "run");
    const issue = sandbox.world.createIssue(
      repo,
      { title: "Add export", body: "Export the settings as a JSON file from the settings page." },
      { kind: "user", login: "octocat" },
    );

    const run = await baton(["run", "--repo", "cli-org/run", "--issue", String(issue.number)]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/triage\s+pass → status:triaged/);
    expect(run.out).toMatch(/review\s+approved → status:approved/);
    expect(issue.labels).toContain("status:approved");

    const status = await baton(["status", "--repo", "cli-org/run", "--issue", String(issue.number)]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/implement\s+passed\s+builtin/);

    const events = await baton(["events", "--repo", "cli-org/run", "--issue", String(issue.number), "--json", "--limit", "500"]);
    const types = events.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).type);
    expect(types.filter((t) => t === "dispatch_completed")).toHaveLength(4);
    expect(types[0]).toBe("dispatch_requested");
  }, 60_000);

  it("checks Redis, the credentials and the backends with doctor", async () => {
    const { code, out } = await baton(["doctor"]);
    expect(out).toContain("✓ redis");
    expect(out).toContain('✓ github           app "baton-sandbox"');
    expect(out).toContain("✓ agent builtin");
    // Backends nobody uses are shown, and do not fail the check.
    expect(out).toMatch(/· agent openai .*no model.*\(not in use\)/);
    expect(code).toBe(0);

    const config = join(tmpdir(), `baton-doctor-${process.pid}.yml`);
    await writeFile(config, "stages:\n  design:\n    agent: { backend: openai }\n");
    const named = await baton(["doctor", "--config", config]);
    await rm(config);
    expect(named.out).toMatch(/✗ agent openai .*no model.*\(named by the config\)/);
    expect(named.code).toBe(1);
  }, 30_000);

  it("reports the sandbox with doctor: working, missing (a failure), or turned off (a warning)", async () => {
    const working = await baton(["doctor"]);
    expect(working.out).toMatch(
      /✓ sandbox\s+auto: bubblewrap \d+\.\d+.*namespaces work; pre-flight may reach registry\.npmjs\.org, pypi\.org, files\.pythonhosted\.org/,
    );

    const missing = await baton(["doctor"], { BATON_SANDBOX_BWRAP: "/nonexistent/bwrap" });
    expect(missing.out).toMatch(/✗ sandbox\s+auto, but unavailable: bubblewrap .* is not installed.*apt-get install bubblewrap socat/);
    expect(missing.code).toBe(1);

    const off = await baton(["doctor"], { BATON_SANDBOX: "off" });
    expect(off.out).toMatch(/⚠ sandbox\s+BATON_SANDBOX=off: UNSAFE/);
    expect(off.code).toBe(0);
  }, 60_000);
});
