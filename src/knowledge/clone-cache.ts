import { rmSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How much the cache keeps once no stage holds a clone. */
export interface CloneCacheLimits {
  /** Bytes of clones nobody holds kept for later stages; 0 keeps none (every stage clones). */
  maxBytes: number;
  /** A clone nobody has used for this long is removed. */
  idleMs: number;
}

/** A clone held by one stage until it calls `release` (once). */
export interface CloneLease {
  dir: string;
  /** Resolves once the clones this release left unwanted are removed. */
  release(): Promise<void>;
}

interface Entry {
  repo: string;
  sha: string;
  dir: string;
  /** Settles when the clone is on disk (or failed, and the entry is gone). */
  ready: Promise<void>;
  done: boolean;
  holders: number;
  bytes: number;
  lastUsed: number;
  /** Order of creation: the highest of a repository is its newest commit. */
  serial: number;
}

/** Every cache root of this process, removed when it exits (clones are never worth keeping across runs). */
const roots = new Set<string>();
let exitHookSet = false;

async function diskBytes(path: string): Promise<number> {
  const stat = await lstat(path);
  if (!stat.isDirectory()) return stat.size;
  let total = stat.size;
  for (const name of await readdir(path)) total += await diskBytes(join(path, name));
  return total;
}

/**
 * One clone per (repository, commit) on disk, shared by every stage of this process that
 * reads that commit (docs/architecture.md §13):
 * - two stages asking for the same commit at once wait for one clone;
 * - a held clone is never removed; once nobody holds it, it goes when a newer commit of
 *   its repository is cloned (stages always read the default branch's head, so nobody asks
 *   for the old one again), when it has been idle for `idleMs`, or, least recently used
 *   first, when the idle clones together pass `maxBytes`;
 * - the directory is private to Baton (0700 under the OS temporary directory) and removed
 *   when the process exits.
 * Only Baton's own git and file reads use these clones: agents get a copy (see
 * read-only-checkout.ts).
 */
export class CloneCache {
  private root: Promise<string> | undefined;
  private readonly entries = new Map<string, Entry>();
  private serial = 0;
  private reused = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limits: CloneCacheLimits) {}

  /** The directory holding the clones (created on first use). */
  directory(): Promise<string> {
    this.root ??= mkdtemp(join(tmpdir(), "baton-clones-")).then((dir) => {
      roots.add(dir);
      if (!exitHookSet) {
        exitHookSet = true;
        process.once("exit", () => {
          for (const root of roots) rmSync(root, { recursive: true, force: true });
        });
      }
      return dir;
    });
    return this.root;
  }

  /** Removes every clone and the directory (a process's exit does the same). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.entries.clear();
    const root = await this.root;
    if (!root) return;
    roots.delete(root);
    await rm(root, { recursive: true, force: true });
  }

  /** Clones made and clones shared (a stage found the commit on disk or being cloned). */
  counts(): { cloned: number; reused: number } {
    return { cloned: this.serial, reused: this.reused };
  }

  /** The commits on disk, by repository: what tests and the bench look at. */
  held(): { repo: string; sha: string; dir: string; holders: number; bytes: number }[] {
    return [...this.entries.values()].filter((e) => e.done).map(({ repo, sha, dir, holders, bytes }) => ({ repo, sha, dir, holders, bytes }));
  }

  /**
   * The clone of `repo` at `sha`, made by `clone(dir)` (into an empty directory) unless it is
   * on disk or being made. The caller must `release` it when done reading.
   */
  async hold(repo: string, sha: string, clone: (dir: string) => Promise<void>): Promise<CloneLease> {
    const key = `${repo}\0${sha}`;
    const root = await this.directory();
    // Looked up after the await: another stage may have started this clone meanwhile.
    const found = this.entries.get(key);
    if (found) this.reused++;
    const entry = found ?? this.start(key, repo, sha, root, clone);
    entry.holders++;
    entry.lastUsed = Date.now();
    try {
      await entry.ready;
    } catch (error) {
      entry.holders--;
      throw error;
    }
    let released = false;
    const held = entry;
    return {
      dir: entry.dir,
      release: async () => {
        if (released) return;
        released = true;
        held.holders--;
        held.lastUsed = Date.now();
        await this.sweep();
      },
    };
  }

  private start(key: string, repo: string, sha: string, root: string, clone: (dir: string) => Promise<void>): Entry {
    const serial = ++this.serial;
    // The serial keeps a new clone of a commit apart from an evicted one still being removed.
    const dir = join(root, `${createHash("sha256").update(repo).digest("hex").slice(0, 12)}-${sha.slice(0, 12)}-${serial}`);
    const entry: Entry = { repo, sha, dir, ready: Promise.resolve(), done: false, holders: 0, bytes: 0, lastUsed: Date.now(), serial };
    entry.ready = (async () => {
      try {
        await mkdir(dir);
        await clone(dir);
        entry.bytes = await diskBytes(dir);
        entry.done = true;
      } catch (error) {
        this.entries.delete(key);
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      void this.sweep();
      this.timer ??= setInterval(() => void this.sweep(), Math.max(1000, Math.min(this.limits.idleMs, 60_000))).unref();
    })();
    this.entries.set(key, entry);
    return entry;
  }

  /** Removes the clones nobody holds that are superseded, idle too long, or over the byte budget. */
  private sweep(): Promise<void> {
    const now = Date.now();
    const newest = new Map<string, number>();
    for (const e of this.entries.values()) if (e.done) newest.set(e.repo, Math.max(newest.get(e.repo) ?? 0, e.serial));
    const idle = [...this.entries.entries()].filter(([, e]) => e.done && e.holders === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    let idleBytes = idle.reduce((sum, [, e]) => sum + e.bytes, 0);
    const removals: Promise<void>[] = [];
    for (const [key, e] of idle) {
      const superseded = (newest.get(e.repo) ?? 0) > e.serial;
      if (superseded || now - e.lastUsed >= this.limits.idleMs || idleBytes > this.limits.maxBytes) {
        idleBytes -= e.bytes;
        this.entries.delete(key);
        removals.push(rm(e.dir, { recursive: true, force: true }));
      }
    }
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return Promise.all(removals).then(() => undefined);
  }
}
