import { fileURLToPath } from "node:url";
import { BACKENDS } from "../../src/agents/registry.js";
import { resolveRoute } from "../../src/agents/resolve-route.js";
import { runAgent } from "../../src/agents/run-agent.js";
import { PermanentError, TransientError } from "../../src/errors.js";
import { fakeAgentServer } from "../helpers/fake-agent-sandbox.js";
import { pipelineOf, stageOf } from "./pipeline-of.js";

const KNOWN = new Set(BACKENDS.keys());
const PROTOCOL_AGENT = fileURLToPath(new URL("../fixtures/agents/protocol-agent.mjs", import.meta.url));

describe("route resolution (docs/architecture.md §5)", () => {
  const route = (yaml: string, opts: { labels?: string[]; touched?: string[]; env?: { BATON_DEFAULT_BACKEND?: string }; stage?: string } = {}) => {
    const pipeline = pipelineOf(yaml);
    return resolveRoute(
      { pipeline, stage: stageOf(pipeline, opts.stage ?? "design"), issueLabels: opts.labels ?? [], touchedPaths: opts.touched, env: opts.env ?? {} },
      KNOWN,
    ).map((r) => r.backend);
  };
  const full = [
    "stages:\n  design:\n    agent: { backend: codex }",
    "routing:\n  kinds: { design: anthropic }\n  fallback: builtin\n  governance: { paths: ['.github/**'], backend: claude-code }",
    "defaults:\n  agent: { backend: openai, model: m }",
  ].join("\n");

  it("sends a task touching governance paths to the governance backend only", () => {
    expect(route(full, { touched: [".github/workflows/ci.yml"], labels: ["agent:codex"] })).toEqual(["claude-code"]);
  });
  it("puts an agent:<backend> label first, in place of the stage's agent", () => {
    expect(route(full, { labels: ["agent:command"], touched: ["src/a.ts"] })).toEqual(["command", "anthropic", "openai", "builtin"]);
  });
  it("otherwise tries the stage's agent, the kind map, defaults.agent, BATON_DEFAULT_BACKEND, then the fallback", () => {
    expect(route(full, { env: { BATON_DEFAULT_BACKEND: "builtin" } })).toEqual(["codex", "anthropic", "openai", "builtin"]);
    expect(route("", { env: { BATON_DEFAULT_BACKEND: "openai" } })).toEqual(["openai"]);
  });
  it("refuses an unknown backend, naming where it came from", () => {
    expect(() => route("", { labels: ["agent:gpt9"] })).toThrow(/the agent:gpt9 label names the agent backend "gpt9"/);
  });
  it("refuses to guess when nothing names a backend (builtin is never a silent default)", () => {
    expect(() => route("")).toThrow(PermanentError);
    expect(() => route("")).toThrow(/no agent backend is configured for the design stage/);
  });
});

describe("running a stage's agent", () => {
  /** The server's environment (on top of the test process's) the runtime gives the runner, per test. */
  let vars: Record<string, string | undefined>;
  beforeEach(() => {
    vars = {};
  });
  const request = (yaml: string) => {
    const pipeline = pipelineOf(yaml);
    return {
      runId: "r9-1-triage-1",
      stage: stageOf(pipeline, "triage"),
      pipeline,
      issueLabels: [],
      context: { issue: { number: 1, title: "Add a search box", body: "Search across projects, please." } },
      server: fakeAgentServer(vars),
    };
  };

  it("falls through an unhealthy backend to the next one", async () => {
    vars.BATON_OPENAI_MODEL = undefined;
    const run = await runAgent("triage", request("defaults:\n  agent: { backend: openai }\nrouting:\n  fallback: builtin\n"));
    expect(run.backend).toBe("builtin");
  });

  it("blocks, naming each backend and why, when none is healthy", async () => {
    Object.assign(vars, { BATON_CLAUDE_BIN: "/nonexistent/claude" });
    vars.BATON_OPENAI_MODEL = undefined;
    const error = await runAgent("triage", request("defaults:\n  agent: { backend: claude-code }\nrouting:\n  fallback: openai\n")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/no healthy agent backend for the triage stage \(claude-code: .*was not found.*; openai: no model/);
  });

  describe("on the command backend (baton-agent/1 over stdin/stdout)", () => {
    it("sends the request, streams output and uses the result", async () => {
      vars.BATON_AGENT_COMMAND = PROTOCOL_AGENT;
      const output: string[] = [];
      const run = await runAgent("triage", { ...request("defaults:\n  agent: { backend: command }\n"), onOutput: (c) => output.push(c) });
      expect(run).toMatchObject({
        backend: "command",
        model: "house-model",
        data: { brief: "Seen by baton-agent/1: Add a search box" },
        usage: { input_tokens: 10, output_tokens: 20 },
      });
      expect(output.join("")).toContain("working on triage (triage) for run r9-1-triage-1");
    });

    it("runs only commands the server allows, whatever a repository config says", async () => {
      vars.BATON_AGENT_COMMAND = PROTOCOL_AGENT;
      const error = await runAgent("triage", request("defaults:\n  agent: { backend: command, command: /bin/rm }\n")).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/`\/bin\/rm`, which this server does not allow/);
      vars.BATON_AGENT_COMMANDS = `/usr/bin/true, ${PROTOCOL_AGENT}`;
      vars.BATON_AGENT_COMMAND = undefined;
      expect((await runAgent("triage", request(`defaults:\n  agent: { backend: command, command: "${PROTOCOL_AGENT}" }\n`))).backend).toBe("command");
    });

    it("blocks on an error the agent says is final, and retries one that ended without a result", async () => {
      vars.BATON_AGENT_COMMAND = PROTOCOL_AGENT;
      vars.PROTOCOL_AGENT_MODE = "refuse";
      await expect(runAgent("triage", request("defaults:\n  agent: { backend: command }\n"))).rejects.toThrow(PermanentError);
      vars.PROTOCOL_AGENT_MODE = "garbage";
      const error = await runAgent("triage", request("defaults:\n  agent: { backend: command }\n")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toMatch(/exited 0 without a result line \(2 line\(s\) were not protocol messages\)/);
    });
  });
});
