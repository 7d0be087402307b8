#!/usr/bin/env node
// The npm registry mirror this project is built against lacks some platform-specific
// optional packages (macOS/Windows/exotic-Linux builds of msgpackr-extract and
// unrs-resolver). `npm install` then leaves them out of package-lock.json, and `npm ci`
// refuses the lock as out of sync. This adds the missing entries, marked optional with
// the os/cpu/libc their names state, so `npm ci` on any platform skips them as GitHub's
// registry would. Run it after `npm install` changes the lockfile: `npm run lockfile`.
import { readFileSync, writeFileSync } from "node:fs";

const OS = ["darwin", "linux", "win32", "freebsd", "android", "openharmony", "sunos", "aix"];
const CPU = ["arm64", "x64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "wasm32"];

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (lock.packages[`node_modules/${name}`] || lock.packages[`${location}/node_modules/${name}`]) continue;
    const parts = name.split("/").pop().split("-");
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p)) ?? (parts.includes("arm") ? "arm" : undefined);
    if (!os || !cpu) continue;
    const libc = parts.some((p) => p.startsWith("musl")) ? "musl" : os === "linux" && parts.some((p) => p.startsWith("gnu")) ? "glibc" : undefined;
    lock.packages[`node_modules/${name}`] = {
      version: version.replace(/^[\^~=]/, ""),
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      os: [os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
