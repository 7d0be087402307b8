import { z } from "zod";
import type { AgentRef } from "../config/schema.js";
import type { Runtime } from "../runtime.js";
import type { SandboxSettings } from "../sandbox/settings.js";
import type { AgentKind } from "./outputs.js";

/** Tokens, cost and time one agent run used. `cost_usd` is absent for unpriced models. */
export const Usage = z.object({
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  cost_usd: z.number().min(0).optional(),
  duration_ms: z.number().min(0),
});
export type Usage = z.infer<typeof Usage>;

/**
 * What backends read of the server, from the runtime: its parsed settings (executables,
 * the builtin agent's behaviour) and its environment (secrets by name, PATH, base URLs).
 */
export type AgentServer = Pick<Runtime, "env" | "processEnv">;

/** What a stage asks of an agent. Never carries a token or secret. */
export interface AgentTask {
  /** Identifies the run in events and logs. */
  runId: string;
  stage: string;
  kind: AgentKind;
  /** The instructions, already rendered from the stage's prompt template. */
  prompt: string;
  /** The structured context the prompt was rendered from (issue, spec, diff, …). */
  context: Record<string, unknown>;
  /** A checkout the agent may edit (implement), or read only (`readOnly`); absent for agents that only see text. */
  workspace?: string;
  /**
   * The workspace is a read-only checkout of the base commit (triage, design, review): CLI
   * backends pass read-only tools, and the OS sandbox binds it read-only.
   */
  readOnly?: boolean;
  /** The backend, model and options chosen by the router. */
  agent: AgentRef;
  timeoutMs: number;
  /** Aborted on timeout or `/baton stop`; a backend must stop its process tree or request. */
  signal: AbortSignal;
  /** Streaming output, batched into `agent_output` events by the caller. */
  onOutput?: (chunk: string) => void;
  /** How CLI backends confine their process (docs/security.md). */
  sandbox: SandboxSettings;
  /** Where the backend reads the server's settings and secrets. */
  server: AgentServer;
}

/**
 * What the runner reports as it hands a task to a backend: the route it chose
 * (`backend_delegating`), then each run it starts (`dispatch_spawned`; a repair is a second).
 */
export type AgentEvent =
  | { type: "backend_delegating"; backend: string; model?: string; skipped: string[] }
  | { type: "dispatch_spawned"; backend: string; model?: string; attempt: number };

/** What a backend gives back: the raw text (structured data is parsed from it by the caller). */
export interface AgentResult {
  text: string;
  usage: Usage;
  /** The model that actually answered, when the backend knows it. */
  model?: string;
}

export interface BackendHealth {
  ok: boolean;
  /** Why it is unhealthy, or what it runs (version, endpoint) when healthy. */
  detail: string;
}

/**
 * One agent backend (docs/architecture.md §5). Throw `TransientError` for failures worth retrying and
 * `PermanentError` for the rest (bad credentials, missing executable).
 */
export interface AgentBackend {
  readonly name: string;
  /** A CLI agent that reads the checkout itself; API agents get the relevant files in the prompt instead. */
  readonly readsCheckout?: boolean;
  run(task: AgentTask): Promise<AgentResult>;
  health(agent: AgentRef, server: AgentServer): Promise<BackendHealth>;
}
