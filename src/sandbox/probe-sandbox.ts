import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PermanentError } from "../errors.js";
import { enterSandbox, findExecutable } from "./enter-sandbox.js";
import type { SandboxSettings } from "./settings.js";

const run = promisify(execFile);

export interface SandboxProbe {
  ok: boolean;
  /** The resolved bubblewrap executable, when there is one. */
  bwrap?: string;
  /** `bubblewrap 0.8.0`, or why the sandbox cannot start. */
  detail: string;
}

const probes = new Map<string, Promise<SandboxProbe>>();

/**
 * Whether the sandbox can start here: bubblewrap found, and a sandboxed `true` behind the
 * proxy bridge (namespaces allowed, socat installed) exits 0. Asked once per bwrap path
 * and process: the answer does not change while Baton runs.
 */
export function probeSandbox(settings: SandboxSettings, searchPath: string | undefined): Promise<SandboxProbe> {
  const key = `${settings.BATON_SANDBOX_BWRAP}\0${searchPath ?? ""}`;
  let probe = probes.get(key);
  if (!probe) probes.set(key, (probe = runProbe(settings.BATON_SANDBOX_BWRAP, searchPath)));
  return probe;
}

async function runProbe(name: string, searchPath: string | undefined): Promise<SandboxProbe> {
  const bwrap = findExecutable(name, searchPath);
  if (!bwrap) return { ok: false, detail: `bubblewrap (\`${name}\`) is not installed` };
  const { stdout } = await run(bwrap, ["--version"]).catch((error: { stderr?: string }) => ({ stdout: `${bwrap} --version failed: ${error.stderr ?? ""}` }));
  const version = stdout.trim();
  const cwd = await mkdtemp(join(tmpdir(), "baton-probe-"));
  const prepared = await enterSandbox({ bwrap, executable: "true", args: [], cwd, env: {}, domains: ["probe.invalid"], onRefused: () => {} });
  try {
    await run(prepared.executable, prepared.args, { env: prepared.env, timeout: 10_000 });
    return { ok: true, bwrap, detail: version };
  } catch (error) {
    const said = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().slice(-300);
    return { ok: false, bwrap, detail: `${version} cannot start a sandbox here: ${said}` };
  } finally {
    await prepared.release();
    await rm(cwd, { recursive: true, force: true });
  }
}

/** The bubblewrap to use; throws, blocking the stage, when the sandbox cannot start. */
export async function requireSandbox(settings: SandboxSettings, searchPath: string | undefined): Promise<string> {
  const probe = await probeSandbox(settings, searchPath);
  if (probe.ok && probe.bwrap) return probe.bwrap;
  throw new PermanentError(`the OS sandbox is unavailable on this worker (${probe.detail}), so Baton will not run agent CLIs or pre-flight commands here.`, {
    hint: "Install bubblewrap and socat on every worker (`apt-get install bubblewrap socat`; in a container, allow user namespaces), check with `baton doctor`, then comment `/baton retry`. BATON_SANDBOX=off runs them without it, next to Baton's secrets: unsafe on any repository where outsiders open issues.",
  });
}
