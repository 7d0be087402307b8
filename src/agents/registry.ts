import { builtin } from "./builtin.js";
import type { AgentBackend } from "./types.js";

/** Backends by name, registered by hand: adding one is a module and a line here. */
export const BACKENDS = new Map<string, AgentBackend>([[builtin.name, builtin]]);
