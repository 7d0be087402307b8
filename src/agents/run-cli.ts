import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PermanentError, TransientError } from "../errors.js";
import { killGroup } from "../process/kill-group.js";
import { scrubbedEnv } from "../process/scrubbed-env.js";
import { findExecutable } from "../sandbox/enter-sandbox.js";
import { prepareCommand } from "../sandbox/prepare-command.js";
import type { SandboxSettings } from "../sandbox/settings.js";
import { readSecret } from "./read-secret.js";
import type { AgentServer, AgentTask } from "./types.js";

export interface CliRun {
  executable: string;
  args: string[];
  /** Written to stdin, which is then closed. */
  input: string;
  /** Where the process runs; a fresh empty directory (removed afterwards) when absent. */
  cwd?: string;
  /** In the sandbox, bind `cwd` read-only (stages that only read code). */
  readOnly?: boolean;
  /** Its environment: build it with `agentEnv`, never pass `process.env`. */
  env: NodeJS.ProcessEnv;
  /**
   * Run it in the OS sandbox with these variables (and nothing else of `env`) and these
   * hosts. Absent only for Baton's own probes of an operator-installed binary (`--version`).
   */
  sandbox?: { settings: SandboxSettings; env: Record<string, string>; domains: readonly string[] };
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
  const cwd = run.cwd ?? (scratch as string);
  try {
    if (!run.sandbox) return await spawnAndWait(run, { executable: run.executable, args: run.args, env: run.env }, cwd);
    const executable = findExecutable(run.executable, run.env.PATH);
    if (!executable) throw notFound(run.executable);
    const prepared = await prepareCommand({
      settings: run.sandbox.settings,
      executable,
      args: run.args,
      cwd,
      readOnly: run.readOnly,
      env: run.sandbox.env,
      hostEnv: run.env,
      domains: run.sandbox.domains,
      onRefused: (target) => run.onLine(`[baton sandbox] refused ${target}: not an allowed host for this agent`),
    });
    try {
      return await spawnAndWait(run, prepared, cwd);
    } finally {
      await prepared.release();
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function notFound(executable: string): PermanentError {
  return new PermanentError(`the agent executable \`${executable}\` was not found on this server's PATH.`, {
    hint: "Install it on every worker (see the README's section on agent backends), or choose another backend, then comment `/baton retry`.",
  });
}

function spawnAndWait(run: CliRun, command: { executable: string; args: string[]; env: NodeJS.ProcessEnv }, cwd: string): Promise<CliExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.executable, command.args, { cwd, env: command.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
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
          ? notFound(command.executable)
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
export function agentEnv(server: AgentServer, secrets: readonly string[]): NodeJS.ProcessEnv {
  const env = scrubbedEnv(server.processEnv);
  for (const name of secrets) {
    const value = readSecret(name, server.processEnv);
    if (value) env[name] = value;
  }
  return env;
}

/** How a backend's CLI runs: what it is, what it needs from the server, which hosts it talks to. */
export interface TaskCli {
  executable: string;
  args: string[];
  /** Secrets it needs, by name (each read from `NAME` or the file at `NAME_FILE`). */
  secrets: readonly string[];
  /** Non-secret variables it reads (a base URL), passed into the sandbox when set. */
  passEnv?: readonly string[];
  /** Variables set for it in the sandbox whatever the server has (turning off telemetry and updates, which it could not reach anyway). */
  setEnv?: Record<string, string>;
  /** Its API's hosts; `baseUrlVar` names a variable whose URL's host is allowed too. */
  domains?: readonly string[];
  baseUrlVar?: string;
  input?: string;
}

/**
 * Runs a CLI for one agent task, in the OS sandbox: in the task's workspace (or a scratch
 * directory), with the prompt (or `input`) on stdin, the task's abort signal, only the named
 * secrets and variables, and only its API's hosts (plus BATON_SANDBOX_AGENT_DOMAINS).
 */
export function runTaskCli(task: AgentTask, cli: TaskCli, onLine: (line: string) => void): Promise<CliExit> {
  const env = agentEnv(task.server, cli.secrets);
  const settings = task.sandbox;
  const inside: Record<string, string> = { ...cli.setEnv };
  for (const name of [...cli.secrets, ...(cli.passEnv ?? []), ...settings.BATON_SANDBOX_PASS_ENV]) {
    const value = env[name];
    if (value !== undefined) inside[name] = value;
  }
  const baseUrlHost = cli.baseUrlVar ? hostOf(env[cli.baseUrlVar]) : undefined;
  const domains = [...(cli.domains ?? []), ...(baseUrlHost ? [baseUrlHost] : []), ...settings.BATON_SANDBOX_AGENT_DOMAINS];
  return runCli({
    executable: cli.executable,
    args: cli.args,
    input: cli.input ?? task.prompt,
    cwd: task.workspace,
    readOnly: task.readOnly,
    env,
    sandbox: { settings, env: inside, domains },
    signal: task.signal,
    onLine,
  });
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
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
    return exit.code === 0
      ? { ok: true, detail: `${executable} ${lines[0] ?? ""}`.trim() }
      : { ok: false, detail: `\`${executable} --version\` exited ${exit.code}: ${exit.stderr.trim().slice(-300)}` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
