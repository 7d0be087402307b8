import { anthropic } from "../../src/agents/backends/anthropic.js";
import { openai } from "../../src/agents/backends/openai.js";
import { runAgent } from "../../src/agents/run-agent.js";
import type { AgentBackend, AgentServer, AgentTask } from "../../src/agents/types.js";
import { fakeAgentServer } from "../helpers/fake-agent-sandbox.js";
import { AgentOutputError, PermanentError, TransientError } from "../../src/errors.js";
import { FakeModelApi } from "../helpers/fake-model-api.js";
import { pipelineOf, stageOf } from "./pipeline-of.js";
import { DEFAULT_SANDBOX } from "../../src/sandbox/settings.js";

const TRIAGE = { outcome: "pass", type: "bug", priority: "p1", size: "s", brief: "The export crashes on empty projects." };
const answer = (value: unknown) => `Here is my triage.\n\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

const cases: { backend: AgentBackend; model: string; configure: (url: string) => Record<string, string>; key: string; path: string }[] = [
  {
    backend: openai,
    model: "gpt-fake",
    configure: (url) => ({ OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: "sk-openai-test-0000000000000000" }),
    key: "sk-openai-test-0000000000000000",
    path: "/v1/chat/completions",
  },
  {
    backend: anthropic,
    model: "claude-fake",
    configure: (url) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: "sk-ant-test-00000000000000000000" }),
    key: "sk-ant-test-00000000000000000000",
    path: "/v1/messages",
  },
];

describe.each(cases)("the $backend.name backend (the official SDK against a fake API on 127.0.0.1)", ({ backend, model, configure, key, path }) => {
  let api: FakeModelApi;
  /** The server the runtime would give the backend: the operator's endpoint and key, no default model. */
  let server: AgentServer;
  beforeEach(async () => {
    api = await FakeModelApi.start();
    server = fakeAgentServer({ BATON_OPENAI_MODEL: undefined, BATON_ANTHROPIC_MODEL: undefined, ...configure(api.url) });
  });
  afterEach(async () => {
    await api.close();
  });

  const task = (over: Partial<AgentTask> = {}): AgentTask => ({
    runId: "r1-3-triage-1",
    stage: "triage",
    kind: "triage",
    prompt: "Triage issue #3.",
    context: {},
    sandbox: DEFAULT_SANDBOX,
    server,
    agent: { backend: backend.name, model },
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    ...over,
  });

  it("streams the answer and reports the tokens used, sending the operator's key to the operator's endpoint", async () => {
    api.reply({ text: "The answer, in four pieces or so.", input_tokens: 321, output_tokens: 54 });
    const output: string[] = [];

    const result = await backend.run(task({ onOutput: (c) => output.push(c) }));

    expect(result).toMatchObject({ text: "The answer, in four pieces or so.", model, usage: { input_tokens: 321, output_tokens: 54 } });
    expect(output.length).toBeGreaterThan(1);
    expect(output.join("")).toBe(result.text);
    const [request] = api.completions;
    expect(request?.path).toBe(path);
    expect(request?.body).toMatchObject({ model, stream: true });
    expect(JSON.stringify(request?.body)).toContain("Triage issue #3.");
    expect(JSON.stringify(request?.headers)).toContain(key);
  });

  it("does not send the server's key to a base_url a repository config chose", async () => {
    api.reply({ text: "ok" });
    const elsewhere = backend === openai ? `${api.url.replace("127.0.0.1", "localhost")}/v1` : api.url.replace("127.0.0.1", "localhost");

    await backend.run(task({ agent: { backend: backend.name, model, base_url: elsewhere } }));

    expect(JSON.stringify(api.completions[0]?.headers)).not.toContain(key);
  });

  it("rides out a 429 with retry-after", async () => {
    api.reply({ status: 429, retryAfter: "0" }, { text: "after the limit" });
    expect((await backend.run(task())).text).toBe("after the limit");
    expect(api.completions).toHaveLength(2);
  });

  it("gives up on a server that keeps failing with a retryable error", async () => {
    api.fallback = { status: 500, retryAfter: "0" };
    const error = await backend.run(task()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/failed \(500\)/);
    expect(api.completions).toHaveLength(3);
  });

  it("blocks at once on rejected credentials", async () => {
    api.reply({ status: 401, message: "invalid x-api-key" });
    const error = await backend.run(task()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/refused the credentials \(401\)/);
    expect(api.completions).toHaveLength(1);
  });

  it("is healthy when the endpoint lists models, and says why not otherwise", async () => {
    expect(await backend.health({ backend: backend.name, model }, server)).toMatchObject({ ok: true });
    expect(await backend.health({ backend: backend.name }, server)).toMatchObject({ ok: false, detail: expect.stringMatching(/no model/) });
    const refused = await backend.health({ backend: backend.name, model, base_url: "http://127.0.0.1:9/v1" }, server);
    expect(refused).toMatchObject({ ok: false, detail: expect.stringMatching(/could not be reached/) });
  });

  describe("through the stage runner", () => {
    const pipeline = () => pipelineOf(`defaults:\n  agent: { backend: ${backend.name}, model: ${model} }\n`);
    const request = () => {
      const p = pipeline();
      return {
        runId: "r1-3-triage-1",
        stage: stageOf(p, "triage"),
        pipeline: p,
        issueLabels: [],
        context: { issue: { number: 3, title: "Export crashes", body: "On empty projects." } },
        server,
      };
    };

    it("asks once for a repair when the answer does not parse, then uses the repaired answer", async () => {
      api.reply({ text: "I think it is a bug, high priority." }, { text: answer(TRIAGE) });

      const run = await runAgent("triage", request());

      expect(run).toMatchObject({ data: { ...TRIAGE, questions: [] }, backend: backend.name, attempts: 2 });
      expect(JSON.stringify(api.completions[1]?.body)).toContain("Your previous answer could not be used");
    });

    it("aborts the request at the stage's timeout", async () => {
      api.reply({ text: answer(TRIAGE), delayMs: 20_000 });
      const p = pipelineOf(`defaults:\n  agent: { backend: ${backend.name}, model: ${model} }\nstages:\n  triage:\n    timeout: 500ms\n`);
      const started = Date.now();

      const error = await runAgent("triage", { ...request(), stage: stageOf(p, "triage"), pipeline: p }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toBe("the agent took longer than the stage's timeout (500 ms)");
      expect(Date.now() - started).toBeLessThan(5000);
      expect(api.completions).toHaveLength(1);
    });

    it("blocks with what came back when the repair does not parse either", async () => {
      api.fallback = { text: answer({ outcome: "maybe" }) };

      const error = await runAgent("triage", request()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AgentOutputError);
      expect((error as AgentOutputError).output).toContain('"outcome":"maybe"');
      expect(api.completions).toHaveLength(2);
    });
  });
});
