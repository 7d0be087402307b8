import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";

/** The demo script, found from this file (src/cli/commands or its compiled twin) up to the package root. */
const DEMO = fileURLToPath(new URL("../../../sandbox/demo.ts", import.meta.url));

/**
 * `baton demo [--keep]`: the same as `npm run demo` (a local GitHub-compatible sandbox, the
 * real app, one issue through the pipeline). The demo is a development tool: it runs from
 * the sources through tsx, which `npm ci` installs.
 */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the pipeline end to end against a local GitHub-compatible sandbox (same as `npm run demo`)")
    .option("--keep", "keep the sandbox and the app running afterwards")
    .action(async (options: { keep?: boolean }) => {
      const child = spawn(process.execPath, ["--import", "tsx", DEMO, ...(options.keep ? ["--keep"] : [])], { stdio: "inherit" });
      process.exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
    });
}
