import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PermanentError, TransientError } from "../errors.js";
import { killGroup } from "../process/kill-group.js";
import { scrubbedEnv } from "../process/scrubbed-env.js";
import { readSecret } from "./read-secret.js";
import type { AgentTask } from "./types.js";

export interface CliRun {
  executable: string;
  args: string[];
  /** Written to stdin, which is then closed. */
  input: string;
  /** Where the process runs; a fresh empty directory (removed afterwards) when absent. */
  cwd?: string;
  /** Its environment: build it with `agentEnv`, never pass `process.env`. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Each line of stdout, as it arrives. */
  onLine: (line: string) => void;
}

export interface CliExit {
  code: number | null;
  /** The last few KB of stderr, for error messages. */
  stderr: string;
}

const STDERR_TAIL = 4000;
/** After SIGTERM, how long the process tree gets before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Runs an agent CLI in its own process group: the prompt on stdin, stdout read line by
 * line, secrets kept out of its environment. Aborting the signal (timeout, `/baton stop`)
 * ends the whole tree — SIGTERM, then SIGKILL — and rejects with the signal's reason.
 */
export async function runCli(run: CliRun): Promise<CliExit> {
  if (run.signal.aborted) throw run.signal.reason ?? new TransientError("the agent was stopped");
  const scratch = run.cwd ? undefined : await mkdtemp(join(tmpdir(), "baton-agent-"));
  try {
    return await spawnAndWait(run, run.cwd ?? (scratch as string));
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function spawnAndWait(run: CliRun, cwd: string): Promise<CliExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.executable, run.args, { cwd, env: run.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
    };
    run.signal.addEventListener("abort", onAbort, { once: true });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on("line", (line) => {
      if (line.trim()) run.onLine(line);
    });
    // A process that exits without reading its stdin must not crash Baton with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(run.input);
    child.on("error", (error: NodeJS.ErrnoException) => {
      run.signal.removeEventListener("abort", onAbort);
      reject(
        error.code === "ENOENT"
          ? new PermanentError(`the agent executable \`${run.executable}\` was not found on this server's PATH.`, { hint: "Install it on every worker (see the README's section on agent backends), or choose another backend, then comment `/baton retry`." })
          : new PermanentError(`the agent executable \`${run.executable}\` could not be started (${error.code ?? error.message}).`),
      );
    });
    // A CLI's helpers must not outlive it; killing them also closes any pipe they inherited,
    // which would otherwise hold `close` back.
    child.on("exit", () => killGroup(child.pid, "SIGKILL"));
    child.on("close", (code) => {
      run.signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      if (run.signal.aborted) reject(run.signal.reason ?? new TransientError("the agent was stopped"));
      else resolve({ code, stderr });
    });
  });
}

/**
 * The scrubbed server environment plus the secrets an agent CLI needs, by name (each read
 * from `NAME` or the file at `NAME_FILE`). GitHub credentials never get in.
 */
export function agentEnv(secrets: readonly string[]): NodeJS.ProcessEnv {
  const env = scrubbedEnv();
  for (const name of secrets) {
    const value = readSecret(name);
    if (value) env[name] = value;
  }
  return env;
}

/**
 * Runs a CLI for one agent task: in the task's workspace (or a scratch directory), with the
 * prompt (or `input`) on stdin, the task's abort signal, and only the named secrets.
 */
export function runTaskCli(task: AgentTask, cli: { executable: string; args: string[]; secrets: readonly string[]; input?: string }, onLine: (line: string) => void): Promise<CliExit> {
  return runCli({ executable: cli.executable, args: cli.args, input: cli.input ?? task.prompt, cwd: task.workspace, env: agentEnv(cli.secrets), signal: task.signal, onLine });
}

/** A line handler for CLIs that print JSON events: lines that are not JSON are shown as output. */
export function jsonEvents(task: AgentTask, onEvent: (event: Record<string, unknown>) => void): (line: string) => void {
  return (line) => {
    const event = parseJsonLine(line);
    if (event) onEvent(event);
    else task.onOutput?.(`${line}\n`);
  };
}

/** Parses one line of a JSON-lines stream; anything else (a stray log line) is undefined. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `<executable> --version`, for health checks: the version line, or why it cannot run. */
export async function probeVersion(executable: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; detail: string }> {
  const lines: string[] = [];
  try {
    const exit = await runCli({ executable, args: ["--version"], input: "", env, signal: AbortSignal.timeout(10_000), onLine: (l) => lines.push(l) });
    return exit.code === 0 ? { ok: true, detail: `${executable} ${lines[0] ?? ""}`.trim() } : { ok: false, detail: `\`${executable} --version\` exited ${exit.code}: ${exit.stderr.trim().slice(-300)}` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
