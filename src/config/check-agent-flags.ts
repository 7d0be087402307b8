import type { ConfigProblem, Pipeline } from "./resolve-pipeline.js";
import type { AgentRef } from "./schema.js";

/**
 * What an agent may do is the operator's decision, never a repository's: a pushed
 * `.github/baton.yml` must not be able to turn an agent into one with more power than the
 * server grants. docs/configuration.md ("What a repository may pass to an agent").
 */

/** Tools a claude-code implementer gets when the config names none, and the default allowlist. */
export const DEFAULT_AGENT_TOOLS = ["Read", "Edit", "Write", "Glob", "Grep"] as const;

/**
 * Flags that change an agent's permissions, settings, MCP servers, provider, working
 * directories or sandbox (claude and codex): refused in `args:` even when an operator's
 * allowlist names them, because Baton sets these itself.
 */
const NEVER_LONG = new Set([
  "--permission-mode",
  "--permission-prompt-tool",
  "--settings",
  "--setting-sources",
  "--mcp-config",
  "--strict-mcp-config",
  "--allowedtools",
  "--allowed-tools",
  "--disallowedtools",
  "--disallowed-tools",
  "--tools",
  "--add-dir",
  "--plugin-dir",
  "--agents",
  "--config",
  "--sandbox",
  "--full-auto",
  "--yolo",
  "--profile",
  "--ask-for-approval",
  "--cd",
  "--enable",
  "--disable",
  "--oss",
  "--local-provider",
]);
/** Short forms of the same (codex `-c`, `-s`, `-p`, `-a`, `-C`); a value may be glued on (`-csandbox_mode=…`). */
const NEVER_SHORT = /^-[cspaC]/;

/** A flag's name: `--x=1` → `--x`. */
const flagName = (arg: string) => arg.split("=")[0] ?? arg;
const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Why one `args:` entry is refused, or undefined. `allowed` holds the operator's flag names. */
function refuseArg(arg: string, previousAllowed: boolean, allowed: Set<string>): string | undefined {
  if (!arg.startsWith("-"))
    return previousAllowed
      ? undefined
      : `argument "${arg}" is not the value of an allowed flag, and a repository's config may not pass bare arguments to an agent`;
  const name = flagName(arg);
  if (name.toLowerCase().startsWith("--dangerously") || NEVER_LONG.has(name.toLowerCase()) || (!arg.startsWith("--") && NEVER_SHORT.test(arg))) {
    return `flag "${name}" changes the agent's permissions, settings, MCP servers, provider or sandbox; Baton sets those itself and a repository's config may never pass it`;
  }
  if (!allowed.has(name)) return `flag "${name}" is not in the server's BATON_AGENT_ALLOWED_ARGS (${allowed.size ? [...allowed].join(", ") : "empty"})`;
  return undefined;
}

/** The operator's allowlists (BatonEnv's, from the runtime): what a repository's agent config may widen. */
export interface AgentAllowlists {
  BATON_AGENT_ALLOWED_ARGS?: string;
  BATON_AGENT_ALLOWED_TOOLS?: string;
}

function checkAgent(agent: AgentRef | undefined, where: string, stage: string, env: AgentAllowlists): ConfigProblem[] {
  if (!agent) return [];
  const allowedArgs = new Set(list(env.BATON_AGENT_ALLOWED_ARGS));
  const allowedTools = new Set(env.BATON_AGENT_ALLOWED_TOOLS?.trim() ? list(env.BATON_AGENT_ALLOWED_TOOLS) : DEFAULT_AGENT_TOOLS);
  const problems: ConfigProblem[] = [];
  let previousAllowed = false;
  (agent.args ?? []).forEach((arg, i) => {
    const reason = refuseArg(arg, previousAllowed, allowedArgs);
    previousAllowed = reason === undefined && arg.startsWith("-") && !arg.includes("=");
    if (reason) problems.push({ severity: "error", path: `${where}.args[${i}]`, message: `${stage}: ${reason}` });
  });
  for (const tool of agent.allowed_tools ?? []) {
    if (!allowedTools.has(tool))
      problems.push({
        severity: "error",
        path: `${where}.allowed_tools`,
        message: `${stage}: tool "${tool}" is not in the server's BATON_AGENT_ALLOWED_TOOLS (${[...allowedTools].join(", ")})`,
      });
  }
  return problems;
}

/** Every `args:` and `allowed_tools:` in the config, checked against the operator's allowlists in `env`. */
export function findWideningAgentConfig(pipeline: Pipeline, env: AgentAllowlists): ConfigProblem[] {
  return [
    ...checkAgent(pipeline.config.defaults.agent, "defaults.agent", "defaults (every stage)", env),
    ...pipeline.stages.flatMap((s) => checkAgent(s.agent, `stages.${s.name}.agent`, `stage "${s.name}"`, env)),
    ...checkAgent(pipeline.config.lessons.agent, "lessons.agent", "lessons", env),
    ...checkAgent(pipeline.config.scout?.agent, "scout.agent", "scout", env),
  ];
}
