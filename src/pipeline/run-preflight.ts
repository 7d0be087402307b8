import { spawn } from "node:child_process";
import { killGroup } from "../process/kill-group.js";
import { scrubbedEnv } from "../process/scrubbed-env.js";

export interface PreflightResult {
  command: string;
  exit_code: number | null;
  duration_ms: number;
  timed_out: boolean;
  /** The last few KB of combined output. */
  output_tail: string;
}

const TAIL_BYTES = 4000;

/** Runs one shell command in its own process group, killing the whole group on timeout. */
function runCommand(command: string, cwd: string, timeoutMs: number): Promise<PreflightResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], { cwd, env: scrubbedEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ command, exit_code: code, duration_ms: Date.now() - started, timed_out: timedOut, output_tail: tail });
    });
  });
}

/** Runs the stage's pre-flight commands in order, stopping at the first failure. */
export async function runPreflight(commands: string[], cwd: string, timeoutMs: number): Promise<{ ok: boolean; results: PreflightResult[] }> {
  const results: PreflightResult[] = [];
  for (const command of commands) {
    const result = await runCommand(command, cwd, timeoutMs);
    results.push(result);
    if (result.exit_code !== 0) return { ok: false, results };
  }
  return { ok: true, results };
}

/** A Markdown table of pre-flight results, for the PR and the artifacts. */
export function renderPreflight(results: PreflightResult[]): string {
  if (results.length === 0) return "_No pre-flight commands configured (`preflight:` in .github/baton.yml)._";
  const rows = results.map((r) => `| \`${r.command}\` | ${r.exit_code === 0 ? "✅ passed" : r.timed_out ? "⏱️ timed out" : `❌ exit ${r.exit_code}`} | ${(r.duration_ms / 1000).toFixed(1)} s |`);
  return ["| Command | Result | Time |", "|---|---|---|", ...rows].join("\n");
}
