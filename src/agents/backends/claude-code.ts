import { DEFAULT_AGENT_TOOLS } from "../../config/check-agent-flags.js";
import { PermanentError, TransientError } from "../../errors.js";
import { cachedHealth } from "../health-cache.js";
import { agentEnv, jsonEvents, probeVersion, runTaskCli } from "../run-cli.js";
import type { AgentBackend, AgentServer, AgentTask, Usage } from "../types.js";

/** Secrets the CLI may need, passed by name (API key, or a `claude setup-token` OAuth token). */
const SECRETS = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"];
/** Tools for stages that only read the checkout (triage, design, review): the config cannot widen them. */
const READ_ONLY_TOOLS = ["Read", "Grep", "Glob"];
/**
 * In the sandbox it reaches the Messages API only (or ANTHROPIC_BASE_URL's host), with its
 * telemetry, error reporting and auto-updates off: they could not get out anyway.
 */
const SANDBOX = {
  passEnv: ["ANTHROPIC_BASE_URL"],
  baseUrlVar: "ANTHROPIC_BASE_URL",
  domains: ["api.anthropic.com"],
  setEnv: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1" },
};

const executable = (server: AgentServer) => server.env.BATON_CLAUDE_BIN;

/**
 * `claude -p --output-format stream-json`: the prompt on stdin, one JSON event per line
 * (`system` init, `assistant` messages, one final `result`). With a workspace (implement)
 * it may edit files with the allowed tools; without one it gets no tools at all, so an
 * issue's text cannot make it run anything.
 */
function argsFor(task: AgentTask): string[] {
  const { agent } = task;
  const args = ["-p", "--output-format", "stream-json", "--verbose", "--no-session-persistence"];
  if (agent.model) args.push("--model", agent.model);
  if (task.workspace && task.readOnly) args.push("--tools", READ_ONLY_TOOLS.join(","), "--allowedTools", READ_ONLY_TOOLS.join(","));
  else if (task.workspace) args.push("--permission-mode", "acceptEdits", "--allowedTools", (agent.allowed_tools ?? DEFAULT_AGENT_TOOLS).join(","));
  else args.push("--tools", "");
  if (agent.max_turns) args.push("--max-turns", String(agent.max_turns));
  return [...args, ...(agent.args ?? [])];
}

interface ResultEvent {
  subtype?: string;
  is_error?: boolean;
  result?: string;
  total_cost_usd?: number;
  usage?: Record<string, number | undefined>;
}

function usageOf(result: ResultEvent, started: number): Usage {
  const u = result.usage ?? {};
  return {
    input_tokens: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
    output_tokens: u.output_tokens ?? 0,
    cost_usd: typeof result.total_cost_usd === "number" ? result.total_cost_usd : undefined,
    duration_ms: Date.now() - started,
  };
}

const AUTH_FAILURE = /not logged in|\/login|invalid api key|authentication/i;

export const claudeCode: AgentBackend = {
  name: "claude-code",
  readsCheckout: true,
  async run(task) {
    const started = Date.now();
    let model: string | undefined;
    let result: ResultEvent | undefined;
    let authFailed = false;
    const exit = await runTaskCli(
      task,
      { executable: executable(task.server), args: argsFor(task), secrets: SECRETS, ...SANDBOX },
      jsonEvents(task, (event) => {
        if (event.type === "system" && event.subtype === "init" && typeof event.model === "string") model = event.model;
        if (event.type === "assistant") {
          if (event.error === "authentication_failed") authFailed = true;
          const content = (event.message as { content?: { type: string; text?: string; name?: string }[] } | undefined)?.content ?? [];
          for (const block of content) {
            if (block.type === "text" && block.text) task.onOutput?.(`${block.text}\n`);
            if (block.type === "tool_use") task.onOutput?.(`→ ${block.name}\n`);
          }
        }
        if (event.type === "result") result = event as ResultEvent;
      }),
    );
    if (result && !result.is_error && typeof result.result === "string")
      return { text: result.result, usage: usageOf(result, started), model: task.agent.model ?? model };
    const said = result?.result ?? exit.stderr.trim().slice(-500);
    if (authFailed || AUTH_FAILURE.test(said)) {
      throw new PermanentError(`the claude CLI on this server is not authenticated: ${said}`, {
        hint: "Set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN from `claude setup-token`) for the workers, then comment `/baton retry`.",
      });
    }
    if (result?.subtype === "error_max_turns") {
      throw new PermanentError(`the claude agent used all its turns (max_turns ${task.agent.max_turns ?? "default"}) without finishing.`, {
        hint: "Raise `max_turns` for this stage's agent, or narrow the spec, then comment `/baton retry`.",
      });
    }
    throw new TransientError(
      `the claude CLI ${result ? `reported an error (${result.subtype ?? "error"})` : `exited ${exit.code} without a result`}: ${said || "no output"}`,
    );
  },
  health(_agent, server) {
    return cachedHealth(`claude-code:${executable(server)}`, () => probeVersion(executable(server), agentEnv(server, SECRETS)));
  },
};
