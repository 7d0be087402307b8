import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareCommand } from "../src/sandbox/prepare-command.js";
import { DEFAULT_SANDBOX } from "../src/sandbox/settings.js";
import { percentile, printTable, round } from "./stats.js";

const RUNS = 30;

function exitOf(executable: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { env, cwd, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? -1));
  });
}

/** Median and p90 wall time of `RUNS` starts of one way of running `true`. */
async function time(cwd: string, start: () => Promise<{ executable: string; args: string[]; env: NodeJS.ProcessEnv; release(): Promise<void> }>) {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const began = performance.now();
    const prepared = await start();
    const code = await exitOf(prepared.executable, prepared.args, prepared.env, cwd);
    await prepared.release();
    if (code !== 0) throw new Error(`\`${prepared.executable}\` exited ${code}`);
    if (i >= 3) samples.push(performance.now() - began); // the first three warm the caches
  }
  return { median_ms: round(percentile(samples, 50)), p90_ms: round(percentile(samples, 90)) };
}

/**
 * What the OS sandbox adds to every agent CLI and pre-flight command: `true` spawned
 * plainly, in the sandbox with no network, and in the sandbox behind the proxy bridge
 * (the proxy started, socat listening before the command runs), as a stage does it.
 */
export async function benchSandboxStartup() {
  const cwd = await mkdtemp(join(tmpdir(), "baton-bench-sandbox-"));
  const host = { PATH: process.env.PATH };
  const sandboxed = (domains: string[]) => () =>
    prepareCommand({ settings: DEFAULT_SANDBOX, executable: "/usr/bin/true", args: [], cwd, env: {}, hostEnv: host, domains, onRefused: () => {} });
  try {
    const rows = [
      { how: "plain spawn", ...(await time(cwd, async () => ({ executable: "/usr/bin/true", args: [], env: host, release: async () => {} }))) },
      { how: "sandbox, no network", ...(await time(cwd, sandboxed([]))) },
      { how: "sandbox + proxy bridge", ...(await time(cwd, sandboxed(["registry.npmjs.org"]))) },
    ];
    printTable(rows);
    return { runs: RUNS, rows };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
