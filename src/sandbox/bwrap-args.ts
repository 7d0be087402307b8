import { lstatSync, readlinkSync } from "node:fs";

/** Where a sandboxed process finds Baton's proxy: a TCP port on its own loopback. */
export const PROXY_PORT = 3128;
/** Where the proxy's Unix socket is bound inside the sandbox. */
export const PROXY_SOCKET = "/run/baton/proxy.sock";
/** The sandbox's private, empty home directory (a tmpfs). */
export const SANDBOX_HOME = "/home/agent";

/** What one sandboxed process sees of the host, beyond the system's read-only toolchain. */
export interface SandboxLayout {
  /** The directory it works in: bound at the same path, read-write unless `workdirReadOnly`. */
  workdir: string;
  /** Stages that only read code (triage, design, review) get their checkout read-only. */
  workdirReadOnly?: boolean;
  /** Host directories bound read-only (the executable's own, a Node install outside /usr). */
  readOnly: string[];
  /** The proxy's socket on the host; absent: no network at all. */
  proxySocket?: string;
}

/** Directories at the root a toolchain needs; on merged-/usr systems they are symlinks into /usr. */
const ROOT_DIRS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** The pieces of /etc that programs read: users and groups for `whoami`/git, CA certificates, the linker cache, Debian's alternatives (/usr/bin/awk and others point there). */
const ETC_FILES = [
  "/etc/alternatives",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/etc/pki",
  "/etc/passwd",
  "/etc/group",
  "/etc/nsswitch.conf",
  "/etc/hosts",
  "/etc/resolv.conf",
  "/etc/localtime",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/mime.types",
];

let system: string[] | undefined;

/** The read-only system part of every sandbox, worked out once per process. */
function systemArgs(): string[] {
  if (system) return system;
  system = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ROOT_DIRS) {
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) system.push("--symlink", readlinkSync(dir), dir);
    else if (stat?.isDirectory()) system.push("--ro-bind", dir, dir);
  }
  for (const path of ETC_FILES) system.push("--ro-bind-try", path, path);
  return system;
}

/**
 * Inside, `socat` turns the proxy's socket into 127.0.0.1:3128, and the command starts once
 * that port listens (read from /proc/net/tcp: no extra tool, no test connection).
 */
const BRIDGE = [
  'command -v socat >/dev/null || { echo "baton sandbox: socat is not installed" >&2; exit 125; }',
  `socat TCP-LISTEN:${PROXY_PORT},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${PROXY_SOCKET} 2>/dev/null &`,
  "i=0",
  `until grep -q ':${PROXY_PORT.toString(16).toUpperCase().padStart(4, "0")} 00000000:0000 0A' /proc/net/tcp; do`,
  '  i=$((i+1)); [ "$i" -gt 500 ] && { echo "baton sandbox: the proxy bridge did not start" >&2; exit 125; }',
  "  sleep 0.01",
  "done",
  'exec "$@"',
].join("\n");

/**
 * bubblewrap's arguments for one command: every namespace of its own (PID, network, IPC,
 * UTS, user, cgroup), a fresh /proc of that PID namespace, a minimal /dev, an empty
 * read-only root holding only the system toolchain, private tmpfs /tmp and home, the
 * working directory read-write, and nothing else of the host. It dies with Baton and gets
 * its own session (no TIOCSTI into Baton's terminal).
 */
export function bwrapArgs(layout: SandboxLayout, command: string[]): string[] {
  const args = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--hostname",
    "baton-sandbox",
    ...systemArgs(),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    SANDBOX_HOME,
  ];
  for (const dir of layout.readOnly) args.push("--ro-bind", dir, dir);
  args.push(layout.workdirReadOnly ? "--ro-bind" : "--bind", layout.workdir, layout.workdir);
  if (layout.proxySocket) args.push("--bind", layout.proxySocket, PROXY_SOCKET);
  args.push("--remount-ro", "/", "--chdir", layout.workdir, "--");
  return layout.proxySocket ? [...args, "sh", "-c", BRIDGE, "sh", ...command] : [...args, ...command];
}
