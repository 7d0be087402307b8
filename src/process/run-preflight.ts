import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { killGroup } from "./kill-group.js";
import { scrubbedEnv } from "./scrubbed-env.js";
import { prepareCommand } from "../sandbox/prepare-command.js";
import type { SandboxSettings } from "../sandbox/settings.js";

export interface PreflightResult {
  command: string;
  exit_code: number | null;
  duration_ms: number;
  timed_out: boolean;
  /** The last few KB of combined output. */
  output_tail: string;
}

const TAIL_BYTES = 4000;

/** Where pre-flight runs: the sandbox settings, and a log for the hosts its proxy refused. */
export interface PreflightSandbox {
  settings: SandboxSettings;
  /** The server's environment (the runtime's), scrubbed of secrets before the command sees it. */
  processEnv: Readonly<NodeJS.ProcessEnv>;
  log: Pick<Logger, "warn">;
}

/**
 * Runs one shell command in the OS sandbox (nothing secret in its environment; only the
 * allowed package registries on the network), in its own process group, killing the whole
 * group on timeout.
 */
async function runCommand(command: string, cwd: string, timeoutMs: number, sandbox: PreflightSandbox): Promise<PreflightResult> {
  let tail = "";
  const keep = (chunk: Buffer | string) => {
    tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
  };
  const prepared = await prepareCommand({
    settings: sandbox.settings,
    executable: "sh",
    args: ["-c", command],
    cwd,
    env: {},
    hostEnv: scrubbedEnv(sandbox.processEnv),
    domains: sandbox.settings.BATON_SANDBOX_ALLOW_DOMAINS,
    onRefused: (target) => {
      sandbox.log.warn({ command, target }, "sandbox proxy refused a host off the allowlist");
      keep(`\n[baton sandbox] refused ${target}: not in BATON_SANDBOX_ALLOW_DOMAINS\n`);
    },
  });
  try {
    return await spawnAndWait(command, prepared, cwd, timeoutMs, keep, () => tail);
  } finally {
    await prepared.release();
  }
}

function spawnAndWait(
  command: string,
  prepared: { executable: string; args: string[]; env: NodeJS.ProcessEnv },
  cwd: string,
  timeoutMs: number,
  keep: (chunk: Buffer) => void,
  tail: () => string,
): Promise<PreflightResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(prepared.executable, prepared.args, { cwd, env: prepared.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ command, exit_code: code, duration_ms: Date.now() - started, timed_out: timedOut, output_tail: tail() });
    });
  });
}

/** Runs the stage's pre-flight commands in order, stopping at the first failure. */
export async function runPreflight(
  commands: string[],
  cwd: string,
  timeoutMs: number,
  sandbox: PreflightSandbox,
): Promise<{ ok: boolean; results: PreflightResult[] }> {
  const results: PreflightResult[] = [];
  for (const command of commands) {
    const result = await runCommand(command, cwd, timeoutMs, sandbox);
    results.push(result);
    if (result.exit_code !== 0) return { ok: false, results };
  }
  return { ok: true, results };
}

/** A Markdown table of pre-flight results, for the PR and the artifacts. */
export function renderPreflight(results: PreflightResult[]): string {
  if (results.length === 0) return "_No pre-flight commands configured (`preflight:` in .github/baton.yml)._";
  const rows = results.map(
    (r) =>
      `| \`${r.command}\` | ${r.exit_code === 0 ? "✅ passed" : r.timed_out ? "⏱️ timed out" : `❌ exit ${r.exit_code}`} | ${(r.duration_ms / 1000).toFixed(1)} s |`,
  );
  return ["| Command | Result | Time |", "|---|---|---|", ...rows].join("\n");
}
