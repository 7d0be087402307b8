import { accessSync, constants, realpathSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { startAllowlistProxy } from "./allowlist-proxy.js";
import { PROXY_PORT, SANDBOX_HOME, bwrapArgs } from "./bwrap-args.js";

/** One process to start in the sandbox. */
export interface SandboxedCommand {
  /** The bubblewrap executable. */
  bwrap: string;
  /** An absolute path (see `findExecutable`) or a name on the system PATH. */
  executable: string;
  args: string[];
  /** Its working directory, the only host directory it may write (unless `readOnly`). */
  cwd: string;
  /** Bind the working directory read-only: the command may read the code, never change it. */
  readOnly?: boolean;
  /** Its variables besides PATH, HOME, TMPDIR, LANG and the proxy's. */
  env: Record<string, string>;
  /** Hosts it may reach through the proxy; none: no network at all. */
  domains: readonly string[];
  /** Told each host the proxy refused. */
  onRefused: (target: string) => void;
}

/** What to spawn instead, and what to release once it has ended. */
export interface PreparedCommand {
  executable: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  release(): Promise<void>;
}

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
const inSystem = (path: string) => ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/"].some((dir) => path.startsWith(dir));

/** The real path of an executable, looked up on `searchPath` when it is a bare name; undefined when there is none. */
export function findExecutable(executable: string, searchPath: string | undefined): string | undefined {
  const candidates =
    isAbsolute(executable) || executable.includes("/")
      ? [executable]
      : (searchPath ?? "")
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, executable));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * Baton's own Node install, when it is not under /usr (nvm, a tarball in /opt): agent CLIs
 * are Node scripts (`#!/usr/bin/env node`), so the sandbox needs it, read-only.
 */
function nodeInstall(): string | undefined {
  const node = realpathSync(process.execPath);
  return inSystem(node) ? undefined : dirname(dirname(node));
}

/**
 * Wraps a command in bubblewrap: starts the allowlisting proxy when it may reach any host,
 * binds the executable's own directory read-only when it lives outside the system dirs, and
 * hands it an environment built from nothing. The environment goes to bwrap, which passes
 * it on, rather than into `--setenv` arguments, which any host user could read in `ps`.
 */
export async function enterSandbox(command: SandboxedCommand): Promise<PreparedCommand> {
  const readOnly: string[] = [];
  const node = nodeInstall();
  if (node) readOnly.push(node);
  const executableDir = isAbsolute(command.executable) ? dirname(command.executable) : undefined;
  if (executableDir && !inSystem(command.executable) && !(node && executableDir.startsWith(`${node}/`))) readOnly.push(executableDir);
  const path = [...(executableDir ? [executableDir] : []), ...(node ? [join(node, "bin")] : []), ...SYSTEM_PATH].join(":");
  const env: Record<string, string> = { ...command.env, PATH: path, HOME: SANDBOX_HOME, TMPDIR: "/tmp", LANG: "C.UTF-8" };

  let socketDir: string | undefined;
  let proxy: { close(): Promise<void> } | undefined;
  if (command.domains.length > 0) {
    socketDir = await mkdtemp(join(tmpdir(), "baton-proxy-"));
    proxy = await startAllowlistProxy(join(socketDir, "proxy.sock"), command.domains, command.onRefused);
    const url = `http://127.0.0.1:${PROXY_PORT}`;
    // Loopback inside is the sandbox's own: a test server a pre-flight starts is reached directly.
    Object.assign(env, {
      HTTP_PROXY: url,
      HTTPS_PROXY: url,
      http_proxy: url,
      https_proxy: url,
      NO_PROXY: "localhost,127.0.0.1,::1",
      no_proxy: "localhost,127.0.0.1,::1",
    });
  }
  const args = bwrapArgs({ workdir: command.cwd, workdirReadOnly: command.readOnly, readOnly, proxySocket: socketDir && join(socketDir, "proxy.sock") }, [
    command.executable,
    ...command.args,
  ]);
  return {
    executable: command.bwrap,
    args,
    env,
    async release() {
      await proxy?.close();
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
    },
  };
}
