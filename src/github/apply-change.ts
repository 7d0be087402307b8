import { chmod, lstat, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChangedPath } from "./read-change.js";

/**
 * Makes every directory on the way to `path` in Baton's clone a real directory: a link
 * there would carry the write out of the clone, and a file or link left from the old tree
 * gives way (the change deletes it).
 */
async function ensureRealParents(clone: string, path: string): Promise<void> {
  const parts = path.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const dir = join(clone, ...parts.slice(0, i));
    const stat = await lstat(dir).catch(() => undefined);
    if (stat?.isDirectory()) continue;
    if (stat) await rm(dir, { force: true });
    await mkdir(dir);
  }
}

/**
 * Applies a checked change to Baton's clone with plain fs calls: deletions first (deepest
 * first), then every file and link, the executable bit kept as git records it (755 or 644).
 */
export async function applyChange(clone: string, changes: readonly ChangedPath[]): Promise<void> {
  const deletions = changes
    .filter((c) => !c.entry)
    .map((c) => c.path)
    .sort((a, b) => b.length - a.length);
  for (const path of deletions) await rm(join(clone, path), { force: true });
  for (const { path, entry, content } of changes) {
    if (!entry) continue;
    await ensureRealParents(clone, path);
    const target = join(clone, path);
    // An entry whose kind changed (a directory become a file, a file become a link) replaces the old one.
    await rm(target, { recursive: true, force: true });
    if (entry.kind === "symlink") await symlink(entry.target, target);
    else if (entry.kind === "file") {
      await writeFile(target, content ?? Buffer.alloc(0), { flag: "wx" });
      await chmod(target, entry.executable ? 0o755 : 0o644);
    }
  }
}
