import { readdir, readFile } from "node:fs/promises";
import type { AgentServer } from "../../src/agents/types.js";
import { readEnv } from "../../src/env.js";
import { DEFAULT_SANDBOX, type SandboxSettings } from "../../src/sandbox/settings.js";

/** The variables the fake agents in test/fixtures/agents read: handed into the sandbox, whose environment starts empty. */
export const FAKE_AGENT_VARS = [
  "FAKE_AGENT_SCENARIO",
  "FAKE_AGENT_ORPHAN",
  "FAKE_AGENT_ANSWER",
  "FAKE_AGENT_EDIT",
  "FAKE_AGENT_LOG",
  "FAKE_AGENT_SLEEP",
  "PROTOCOL_AGENT_MODE",
];

/** The default sandbox (on), passing the fake agents their knobs. */
export const FAKE_AGENT_SANDBOX: SandboxSettings = { ...DEFAULT_SANDBOX, BATON_SANDBOX_PASS_ENV: FAKE_AGENT_VARS };

/** A sleep duration no other process uses, to find a fake agent's helpers from the host (their PIDs are the sandbox's own). */
export const uniqueSleep = () => `600.${Math.floor(Math.random() * 1e9)}`;

/** How many host processes run `sleep <duration>`. */
export async function countSleepers(duration: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline === `sleep\0${duration}\0`) count++;
  }
  return count;
}

/** Waits (polling: a killed process takes a moment to be reaped) until `count` such processes run. */
export async function waitForSleepers(duration: string, count: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if ((await countSleepers(duration)) === count) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * What backends read of the server, as a runtime gives it: the test process's environment
 * with `vars` on top, parsed as BatonEnv, the fake agents' knobs passed into the sandbox.
 */
export function fakeAgentServer(vars: Record<string, string | undefined> = {}): AgentServer {
  const processEnv = { ...process.env, BATON_SANDBOX_PASS_ENV: FAKE_AGENT_VARS.join(","), ...vars };
  return { env: readEnv(processEnv), processEnv };
}
