import { probeSandbox } from "./probe-sandbox.js";
import type { SandboxSettings } from "./settings.js";

/** One line of `baton doctor`: whether agents and pre-flight are confined, and what they may reach. */
export async function describeSandbox(settings: SandboxSettings, searchPath: string | undefined): Promise<{ ok: boolean; mark: string; detail: string }> {
  const reach = `pre-flight may reach ${settings.BATON_SANDBOX_ALLOW_DOMAINS.join(", ") || "no host"}; agents their API${settings.BATON_SANDBOX_AGENT_DOMAINS.length ? ` and ${settings.BATON_SANDBOX_AGENT_DOMAINS.join(", ")}` : ""}`;
  if (settings.BATON_SANDBOX === "off") {
    return {
      ok: true,
      mark: "⚠",
      detail: "BATON_SANDBOX=off: UNSAFE, agent CLIs and pre-flight run as Baton's user, next to its secrets, with the whole network",
    };
  }
  const probe = await probeSandbox(settings, searchPath);
  return probe.ok
    ? { ok: true, mark: "✓", detail: `auto: ${probe.detail} at ${probe.bwrap}, namespaces work; ${reach}` }
    : {
        ok: false,
        mark: "✗",
        detail: `auto, but unavailable: ${probe.detail}. Agent CLIs and pre-flight will be refused: apt-get install bubblewrap socat (or BATON_SANDBOX=off, unsafe)`,
      };
}
