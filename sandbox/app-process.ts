import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface AppProcessOptions {
  /** The GitHub-compatible server and the app registered on it (a started sandbox fits). */
  github: { host: string; appId: number; privateKeyPem: string; webhookSecret: string; protocol?: string };
  port: number;
  redisUrl: string;
  redisPrefix: string;
  role?: "all" | "server" | "worker";
  /** Extra environment (BATON_BUILTIN_DELAY, BATON_STALL_INTERVAL, …). */
  env?: Record<string, string>;
  /** Every log line of the process. */
  onLog?: (line: string) => void;
  /** Run the compiled `dist/main.js` (`npm start`; needs `npm run build`) instead of the sources through tsx. */
  compiled?: boolean;
  /** Extra node flags before the entry point (`--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  webhookUrl: string;
  logs: string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now: a worker dying mid-job. */
  kill(): Promise<void>;
}

/**
 * Starts Baton the way users do (`npm start`'s `dist/main.js`, or `npm run dev`'s sources) as a separate process
 * pointed at a GitHub-compatible host, and waits until it answers `/health`.
 */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    APP_ID: String(options.github.appId),
    PRIVATE_KEY: options.github.privateKeyPem,
    WEBHOOK_SECRET: options.github.webhookSecret,
    GHE_HOST: options.github.host,
    GHE_PROTOCOL: options.github.protocol ?? "http",
    HOST: "127.0.0.1",
    PORT: String(options.port),
    REDIS_URL: options.redisUrl,
    BATON_REDIS_PREFIX: options.redisPrefix,
    BATON_ROLE: options.role ?? "all",
    BATON_DEFAULT_BACKEND: "builtin",
    LOG_LEVEL: "info",
    ...options.env,
  };
  const args = [...(options.nodeArgs ?? []), ...(options.compiled ? startArguments() : ["--import", "tsx", "src/main.ts"])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) {
      logs.push(line);
      options.onLog?.(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (graceMs = 10_000) => {
    if (gone()) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const kill = async () => {
    if (gone()) return;
    child.kill("SIGKILL");
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone()) throw new Error(`Baton exited while starting:\n${logs.slice(-20).join("\n")}`);
    if (options.role === "worker" ? logs.some((l) => l.includes("Baton started")) : await answers(`${url}/health`)) break;
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`Baton did not start within 30 s:\n${logs.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, pid: child.pid ?? -1, url, webhookUrl: `${url}/api/github/webhooks`, logs, stop, kill };
}

/** The node arguments of `npm start` (heap flags and `dist/main.js`), read from package.json. */
function startArguments(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).slice(1);
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}
