import { z } from "zod";
import type { AgentRef } from "../../config/schema.js";
import { PermanentError, TransientError } from "../../errors.js";
import { findExecutable } from "../../sandbox/enter-sandbox.js";
import { parseJsonLine, runTaskCli } from "../run-cli.js";
import type { AgentBackend, AgentServer } from "../types.js";

/** The protocol version in every request; see docs/command-backend.md. */
export const COMMAND_PROTOCOL = "baton-agent/1";

const ResultLine = z.object({
  type: z.literal("result"),
  text: z.string(),
  model: z.string().optional(),
  usage: z
    .object({ input_tokens: z.number().int().min(0).default(0), output_tokens: z.number().int().min(0).default(0), cost_usd: z.number().min(0).optional() })
    .prefault({}),
});
const ErrorLine = z.object({ type: z.literal("error"), message: z.string(), retryable: z.boolean().default(true) });

/**
 * The executable a task runs. The server decides what may run: `BATON_AGENT_COMMAND` is
 * the default, and a repository config may only name one of `BATON_AGENT_COMMANDS`, so a
 * pushed config cannot make the workers run a program of its choosing.
 */
function commandFor(agent: AgentRef, { env }: AgentServer): { ok: true; command: string } | { ok: false; reason: string } {
  const fallback = env.BATON_AGENT_COMMAND;
  if (!agent.command) return fallback ? { ok: true, command: fallback } : { ok: false, reason: "no command: set BATON_AGENT_COMMAND on the server" };
  if (agent.command === fallback || env.BATON_AGENT_COMMANDS.includes(agent.command)) return { ok: true, command: agent.command };
  return {
    ok: false,
    reason: `the config names the command \`${agent.command}\`, which this server does not allow (BATON_AGENT_COMMAND and BATON_AGENT_COMMANDS list the ones it does)`,
  };
}

/**
 * Any executable that speaks Baton's JSON-lines protocol: one request object on stdin,
 * `output` lines while it works, then one `result` (or `error`) line on stdout.
 */
export const command: AgentBackend = {
  name: "command",
  readsCheckout: true,
  async run(task) {
    const started = Date.now();
    const chosen = commandFor(task.agent, task.server);
    if (!chosen.ok)
      throw new PermanentError(`the command backend cannot run: ${chosen.reason}.`, {
        hint: "Ask the operator to allow the command, or change the stage's agent, then comment `/baton retry`.",
      });
    const request = {
      protocol: COMMAND_PROTOCOL,
      run_id: task.runId,
      stage: task.stage,
      kind: task.kind,
      prompt: task.prompt,
      context: task.context,
      workspace: task.workspace ?? null,
      read_only: task.readOnly ?? false,
      model: task.agent.model ?? null,
      timeout_ms: task.timeoutMs,
    };
    let result: z.infer<typeof ResultLine> | undefined;
    let failure: z.infer<typeof ErrorLine> | undefined;
    let malformed = 0;
    const cli = {
      executable: chosen.command,
      args: task.agent.args ?? [],
      secrets: task.server.env.BATON_AGENT_COMMAND_SECRETS,
      input: `${JSON.stringify(request)}\n`,
    };
    const exit = await runTaskCli(task, cli, (line) => {
      const event = parseJsonLine(line);
      if (event?.type === "output" && typeof event.text === "string") return task.onOutput?.(event.text);
      const parsedResult = ResultLine.safeParse(event);
      if (parsedResult.success) return void (result = parsedResult.data);
      const parsedError = ErrorLine.safeParse(event);
      if (parsedError.success) return void (failure = parsedError.data);
      malformed++;
      task.onOutput?.(`${line}\n`);
    });
    if (failure) {
      const message = `the agent command \`${chosen.command}\` reported an error: ${failure.message}`;
      throw failure.retryable ? new TransientError(message) : new PermanentError(message);
    }
    if (!result) {
      throw new TransientError(
        `the agent command \`${chosen.command}\` exited ${exit.code} without a result line${malformed ? ` (${malformed} line(s) were not protocol messages)` : ""}: ${exit.stderr.trim().slice(-500) || "no stderr"}`,
      );
    }
    return { text: result.text, usage: { ...result.usage, duration_ms: Date.now() - started }, model: result.model ?? task.agent.model };
  },
  async health(agent, server) {
    const chosen = commandFor(agent, server);
    if (!chosen.ok) return { ok: false, detail: chosen.reason };
    return findExecutable(chosen.command, server.processEnv.PATH)
      ? { ok: true, detail: `runs ${chosen.command} (${COMMAND_PROTOCOL})` }
      : { ok: false, detail: `\`${chosen.command}\` is not an executable file on this server's PATH` };
  },
};
