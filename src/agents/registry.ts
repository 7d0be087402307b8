import { anthropic } from "./backends/anthropic.js";
import { builtin } from "./backends/builtin.js";
import { claudeCode } from "./backends/claude-code.js";
import { codex } from "./backends/codex.js";
import { command } from "./backends/command.js";
import { openai } from "./backends/openai.js";
import type { AgentBackend } from "./types.js";

/** Backends by name, registered by hand: adding one is a module and a line here. */
export const BACKENDS = new Map<string, AgentBackend>([claudeCode, codex, openai, anthropic, command, builtin].map((b) => [b.name, b]));
