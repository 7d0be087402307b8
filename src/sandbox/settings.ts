import { BatonEnv } from "../env.js";

const SandboxEnv = BatonEnv.pick({
  BATON_SANDBOX: true,
  BATON_SANDBOX_BWRAP: true,
  BATON_SANDBOX_ALLOW_DOMAINS: true,
  BATON_SANDBOX_AGENT_DOMAINS: true,
  BATON_SANDBOX_PASS_ENV: true,
});

/** The part of Baton's environment the OS sandbox reads (docs/security.md). */
export type SandboxSettings = ReturnType<typeof SandboxEnv.parse>;

/** The defaults, for callers given no environment: sandboxed, nothing beyond the defaults allowed. */
export const DEFAULT_SANDBOX: SandboxSettings = SandboxEnv.parse({});
