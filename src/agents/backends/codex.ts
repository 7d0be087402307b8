import { PermanentError, TransientError } from "../../errors.js";
import { cachedHealth } from "../health-cache.js";
import { agentEnv, jsonEvents, probeVersion, runTaskCli } from "../run-cli.js";
import type { AgentBackend, AgentServer, AgentTask } from "../types.js";

const SECRETS = ["OPENAI_API_KEY", "CODEX_API_KEY"];
/**
 * In the sandbox it reaches the OpenAI API and chatgpt.com (its documented endpoints), or
 * OPENAI_BASE_URL's host. A `codex login` in the workers' HOME is not visible there: give it a key.
 */
const SANDBOX = { passEnv: ["OPENAI_BASE_URL"], baseUrlVar: "OPENAI_BASE_URL", domains: ["api.openai.com", "chatgpt.com"] };

const executable = (server: AgentServer) => server.env.BATON_CODEX_BIN;

/**
 * `codex exec --json`: the prompt on stdin (`-`), one JSON event per line
 * (`thread.started`, `item.completed`, `turn.completed` with usage, `turn.failed`). The
 * sandbox lets it write the workspace when it has one (implement) and nothing otherwise.
 */
function argsFor(task: AgentTask): string[] {
  const args = [
    "exec",
    "--json",
    "--ephemeral",
    "--skip-git-repo-check",
    "--color",
    "never",
    "--sandbox",
    task.workspace && !task.readOnly ? "workspace-write" : "read-only",
  ];
  if (task.agent.model) args.push("--model", task.agent.model);
  return [...args, ...(task.agent.args ?? []), "-"];
}

interface Item {
  type?: string;
  text?: string;
  message?: string;
  command?: string;
  changes?: { path?: string }[];
}

const AUTH_FAILURE = /401|unauthori[sz]ed|api key|not logged in|login/i;

export const codex: AgentBackend = {
  name: "codex",
  readsCheckout: true,
  async run(task) {
    const started = Date.now();
    let answer: string | undefined;
    let failure: string | undefined;
    let lastError: string | undefined;
    const usage = { input_tokens: 0, output_tokens: 0 };
    const exit = await runTaskCli(
      task,
      { executable: executable(task.server), args: argsFor(task), secrets: SECRETS, ...SANDBOX },
      jsonEvents(task, (event) => {
        if (event.type === "item.completed") {
          const item = (event.item ?? {}) as Item;
          if (item.type === "agent_message" && item.text) {
            answer = item.text;
            task.onOutput?.(`${item.text}\n`);
          } else if (item.type === "command_execution" && item.command) task.onOutput?.(`$ ${item.command}\n`);
          else if (item.type === "file_change") task.onOutput?.(`edited ${(item.changes ?? []).map((c) => c.path).join(", ")}\n`);
          else if (item.type === "error" && item.message) task.onOutput?.(`${item.message}\n`);
        } else if (event.type === "turn.completed") {
          const u = (event.usage ?? {}) as { input_tokens?: number; output_tokens?: number };
          usage.input_tokens += u.input_tokens ?? 0;
          usage.output_tokens += u.output_tokens ?? 0;
        } else if (event.type === "turn.failed") {
          failure = String((event.error as { message?: string } | undefined)?.message ?? "the turn failed");
        } else if (event.type === "error" && typeof event.message === "string") {
          lastError = event.message;
          task.onOutput?.(`${event.message}\n`);
        }
      }),
    );
    if (exit.code === 0 && !failure && answer !== undefined)
      return { text: answer, usage: { ...usage, duration_ms: Date.now() - started }, model: task.agent.model };
    const said = failure ?? lastError ?? (exit.stderr.trim().slice(-500) || "no output");
    if (AUTH_FAILURE.test(said)) {
      throw new PermanentError(`the codex CLI on this server is not authenticated: ${said}`, {
        hint: "Set OPENAI_API_KEY (or run `codex login` as the workers' user), then comment `/baton retry`.",
      });
    }
    throw new TransientError(
      `the codex CLI ${failure ? "failed its turn" : `exited ${exit.code}${answer === undefined ? " without an answer" : ""}`}: ${said}`,
    );
  },
  health(_agent, server) {
    return cachedHealth(`codex:${executable(server)}`, () => probeVersion(executable(server), agentEnv(server, SECRETS)));
  },
};
