import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "baton.js");

/** Runs the real `baton` executable as a user would. */
function baton(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe("baton validate", () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), "baton-cli-"));
  });
  afterAll(async () => rm(emptyDir, { recursive: true, force: true }));

  it("validates the default pipeline when the repository has no config file", async () => {
    const { code, out } = await baton(["validate"], emptyDir);
    expect(code).toBe(0);
    expect(out).toContain("the default pipeline applies");
    expect(out).toContain("✓ .github/baton.yml is valid");
  });

  it("exits 1 with readable messages for a broken file", async () => {
    const { code, out } = await baton(["validate", "test/fixtures/config/label-mismatch.yml"]);
    expect(code).toBe(1);
    expect(out).toContain('error: stages.design.on: stage "design" waits for label "status:triaged"');
  });

  it("refuses agent flags that widen permissions, and args and tools the operator has not allowed, naming flag and stage", async () => {
    const { BATON_AGENT_ALLOWED_ARGS: _a, BATON_AGENT_ALLOWED_TOOLS: _t, ...env } = process.env;
    const { code, out } = await baton(["validate", "test/fixtures/config/dangerous-args.yml"], ROOT, env);
    expect(code).toBe(1);
    expect(out).toContain('error: stages.implement.agent.args[0]: stage "implement": flag "--dangerously-skip-permissions" changes the agent\'s permissions');
    expect(out).toContain(
      'error: stages.implement.agent.allowed_tools: stage "implement": tool "Bash" is not in the server\'s BATON_AGENT_ALLOWED_TOOLS (Read, Edit, Write, Glob, Grep)',
    );
    expect(out).toContain('error: stages.review.agent.args[0]: stage "review": flag "-c" changes the agent\'s permissions');
    expect(out).toContain('error: stages.review.agent.args[2]: stage "review": flag "--model-verbosity" is not in the server\'s BATON_AGENT_ALLOWED_ARGS');
    expect(out).toContain('error: lessons.agent.args[0]: lessons: flag "--mcp-config" changes');
    expect(out).toContain('error: scout.agent.allowed_tools: scout: tool "Bash" is not in the server\'s BATON_AGENT_ALLOWED_TOOLS');
  });

  it("accepts what the operator allows, but never a permission flag, even when allowed", async () => {
    const env = {
      ...process.env,
      BATON_AGENT_ALLOWED_ARGS: "--model-verbosity,--dangerously-skip-permissions,-c",
      BATON_AGENT_ALLOWED_TOOLS: "Read,Edit,Bash",
    };
    const { code, out } = await baton(["validate", "test/fixtures/config/dangerous-args.yml"], ROOT, env);
    expect(code).toBe(1);
    expect(out).toContain('flag "--dangerously-skip-permissions" changes');
    expect(out).toContain('flag "-c" changes');
    expect(out).not.toContain("--model-verbosity");
    expect(out).not.toContain('tool "Bash"');
  });

  it("exits 2 for a file that cannot be read", async () => {
    const { code, out } = await baton(["validate", "does-not-exist.yml"]);
    expect(code).toBe(2);
    expect(out).toContain("cannot read does-not-exist.yml");
  });
});
