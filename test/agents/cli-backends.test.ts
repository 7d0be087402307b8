import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { claudeCode } from "../../src/agents/backends/claude-code.js";
import { codex } from "../../src/agents/backends/codex.js";
import { runAgent } from "../../src/agents/run-agent.js";
import type { AgentBackend, AgentTask } from "../../src/agents/types.js";
import { PermanentError, TransientError } from "../../src/errors.js";
import { FAKE_AGENT_SANDBOX, fakeAgentServer, uniqueSleep, waitForSleepers } from "../helpers/fake-agent-sandbox.js";
import { pipelineOf, stageOf } from "./pipeline-of.js";

const FAKE = fileURLToPath(new URL("../fixtures/agents/fake-agent-cli.mjs", import.meta.url));

const ANSWER = 'Done.\n\n```json\n{"summary": "ok"}\n```';

const cases: { backend: AgentBackend; bin: "BATON_CLAUDE_BIN" | "BATON_CODEX_BIN"; key: string; usage: object; readOnlyArgs: string[]; editArgs: string[] }[] =
  [
    {
      backend: claudeCode,
      bin: "BATON_CLAUDE_BIN",
      key: "ANTHROPIC_API_KEY",
      // From the recorded stream of claude 2.1.197.
      usage: { input_tokens: 120, output_tokens: 30, cost_usd: 0.00135 },
      readOnlyArgs: ["-p", "--output-format", "stream-json", "--verbose", "--no-session-persistence", "--model", "opus", "--tools", ""],
      editArgs: ["--permission-mode", "acceptEdits", "--allowedTools", "Read,Edit,Write,Glob,Grep"],
    },
    {
      backend: codex,
      bin: "BATON_CODEX_BIN",
      key: "OPENAI_API_KEY",
      usage: { input_tokens: 2946, output_tokens: 210 },
      readOnlyArgs: ["exec", "--json", "--ephemeral", "--skip-git-repo-check", "--color", "never", "--sandbox", "read-only", "--model", "opus", "-"],
      editArgs: ["--sandbox", "workspace-write"],
    },
  ];

describe.each(cases)("the $backend.name backend (a fake CLI replaying the real stream format)", ({ backend, bin, key, usage, readOnlyArgs, editArgs }) => {
  /** The server's environment (on top of the test process's) the backend is given, per test. */
  let vars: Record<string, string>;
  let dir: string;
  let output: string[];
  let sleep: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "baton-cli-test-"));
    output = [];
    sleep = uniqueSleep();
    vars = { [bin]: FAKE, FAKE_AGENT_ANSWER: ANSWER, FAKE_AGENT_LOG: "1", FAKE_AGENT_SLEEP: sleep };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const task = (over: Partial<AgentTask> = {}): AgentTask => ({
    runId: "r1-7-design-1",
    stage: "design",
    kind: "design",
    prompt: "Write the spec for issue #7.",
    context: {},
    agent: { backend: backend.name, model: "opus" },
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    onOutput: (chunk) => output.push(chunk),
    sandbox: FAKE_AGENT_SANDBOX,
    server: fakeAgentServer(vars),
    ...over,
  });
  /** What the fake CLI saw, as it printed it (stdout is the one way out of the sandbox). */
  const log = async () =>
    JSON.parse(/^fake-agent-log (.*)$/m.exec(output.join(""))?.[1] ?? "null") as { argv: string[]; cwd: string; stdin: string; env: string[] };

  it("sends the prompt on stdin and returns the answer with its usage, streaming the output", async () => {
    const result = await backend.run(task());

    expect(result.text).toBe(ANSWER);
    expect(result.usage).toMatchObject(usage);
    expect(result.model).toBe("opus");
    const seen = await log();
    expect(seen.stdin).toBe("Write the spec for issue #7.");
    expect(seen.argv).toEqual(readOnlyArgs);
    // A stray non-JSON line is shown, not fatal.
    expect(output.join("")).toContain("a line that is not JSON {");
    expect(output.join("")).toContain("Done.");
  });

  it("passes its own API key and none of the server's secrets", async () => {
    Object.assign(vars, { [key]: "sk-test-key-000000000000000000", WEBHOOK_SECRET: "s3cret", PRIVATE_KEY: "-----BEGIN", GITHUB_TOKEN: "ghs_x" });
    await backend.run(task());

    const { env } = await log();
    expect(env).toContain(key);
    expect(env).not.toEqual(expect.arrayContaining(["WEBHOOK_SECRET"]));
    expect(env).not.toEqual(expect.arrayContaining(["PRIVATE_KEY"]));
    expect(env).not.toEqual(expect.arrayContaining(["GITHUB_TOKEN"]));
  });

  it("works in the workspace, allowed to edit it, when the stage has one", async () => {
    const workspace = await mkdtemp(join(dir, "ws-"));
    vars.FAKE_AGENT_EDIT = "changed.txt";
    await backend.run(task({ workspace }));

    const seen = await log();
    expect(seen.cwd).toBe(workspace);
    expect(seen.argv.join(" ")).toContain(editArgs.join(" "));
    expect(await readFile(join(workspace, "changed.txt"), "utf8")).toBe("edited by the fake agent\n");
  });

  it("blocks with how to authenticate when the CLI is not logged in", async () => {
    vars.FAKE_AGENT_SCENARIO = "auth";
    const error = await backend.run(task()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toMatch(/not authenticated/);
    expect((error as PermanentError).hint).toContain(key);
  });

  it("retries a crash, quoting the exit code and stderr", async () => {
    vars.FAKE_AGENT_SCENARIO = "crash";
    const error = await backend.run(task()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/exited 3/);
    expect((error as Error).message).toContain("fatal: the fake agent crashed");
  });

  it("ends the whole process tree when aborted, even a CLI deaf to SIGTERM", async () => {
    vars.FAKE_AGENT_SCENARIO = "hang";
    const controller = new AbortController();
    const run = backend.run(task({ signal: controller.signal }));
    expect(await waitForSleepers(sleep, 1)).toBe(true);
    controller.abort(new TransientError("the agent took longer than the stage's timeout"));

    await expect(run).rejects.toThrow("the agent took longer than the stage's timeout");
    expect(await waitForSleepers(sleep, 0)).toBe(true);
  }, 15_000);

  it("does not wait for, and does not leave behind, a helper that holds its stdout", async () => {
    vars.FAKE_AGENT_ORPHAN = "1";
    const result = await backend.run(task({ signal: AbortSignal.timeout(10_000) }));

    expect(result.text).toBe(ANSWER);
    expect(await waitForSleepers(sleep, 0)).toBe(true);
  });

  it("is stopped at the stage's timeout when it hangs", async () => {
    vars.FAKE_AGENT_SCENARIO = "hang";
    const pipeline = pipelineOf(`defaults:\n  agent: { backend: ${backend.name} }\nstages:\n  design:\n    timeout: 1s\n`);

    const error = await runAgent("design", {
      runId: "r1-7-design-1",
      stage: stageOf(pipeline, "design"),
      pipeline,
      issueLabels: [],
      context: {},
      server: fakeAgentServer(vars),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe("the agent took longer than the stage's timeout (1000 ms)");
    expect(await waitForSleepers(sleep, 0)).toBe(true);
  }, 15_000);

  it("is unhealthy, and blocks, when the executable is missing", async () => {
    vars[bin] = join(dir, "no-such-cli");
    const health = await backend.health({ backend: backend.name }, fakeAgentServer(vars));
    expect(health.ok).toBe(false);
    expect(health.detail).toContain("was not found on this server's PATH");
    await expect(backend.run(task())).rejects.toBeInstanceOf(PermanentError);
  });

  it("refuses to run, in any stage, where the sandbox cannot start", async () => {
    vars.FAKE_AGENT_EDIT = "changed.txt";
    const error = await backend.run(task({ sandbox: { ...FAKE_AGENT_SANDBOX, BATON_SANDBOX_BWRAP: join(dir, "no-bwrap") } })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toContain("the OS sandbox is unavailable");
    expect((error as PermanentError).hint).toContain("apt-get install bubblewrap socat");
    expect(output.join("")).not.toContain("fake-agent-log");
  });

  it("is healthy when `--version` answers", async () => {
    expect(await backend.health({ backend: backend.name }, fakeAgentServer(vars))).toEqual({ ok: true, detail: `${FAKE} fake-agent 1.0.0` });
  });
});
