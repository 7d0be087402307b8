import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import ignoreModule, { type Ignore } from "ignore";

// A CommonJS module whose typings declare a default export: its `.default` is the factory.
const ignore = (ignoreModule as unknown as { default: (options?: { ignorecase?: boolean }) => Ignore }).default;

/** One entry of a checkout as git would record it; `special` is a device, fifo or socket. */
export type TreeEntry = { kind: "file"; executable: boolean; size: number } | { kind: "symlink"; target: string } | { kind: "special"; what: string };

/** Repository-relative path (always `/`-separated) → entry. Directories are implied. */
export type Tree = Map<string, TreeEntry>;

export interface ReadTreeOptions {
  /** Paths git already tracks: never skipped as ignored. Absent: skip nothing (Baton's own clone). */
  tracked?: Tree;
  /** Stop after this many untracked entries (the walk must not run through a huge tree). */
  maxNew?: number;
}

const MAX_GITIGNORE_BYTES = 1024 * 1024;

function describeSpecial(stat: Awaited<ReturnType<typeof lstat>>): string {
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device file";
  return "not a regular file";
}

/**
 * Reads a checkout with lstat only: links are recorded, never followed, and the root's own
 * `.git` (a clone's, or the private one an agent's copy carries) is not part of the tree.
 * Untracked paths that the checkout's `.gitignore` files ignore are skipped, as `git add -A`
 * would skip them (`node_modules` after a pre-flight `npm ci`).
 */
export async function readTree(root: string, options: ReadTreeOptions = {}): Promise<{ tree: Tree; truncated: boolean }> {
  const tree: Tree = new Map();
  const trackedDirs = new Set(
    [...(options.tracked?.keys() ?? [])].flatMap((path) =>
      path
        .split("/")
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
    ),
  );
  let fresh = 0;
  let truncated = false;

  async function walk(dir: string, rules: { base: string; ignore: Ignore }[]): Promise<void> {
    const here = join(root, dir);
    const gitignore = options.tracked ? await lstat(join(here, ".gitignore")).catch(() => undefined) : undefined;
    if (gitignore?.isFile() && gitignore.size <= MAX_GITIGNORE_BYTES)
      rules = [...rules, { base: dir, ignore: ignore({ ignorecase: false }).add(await readFile(join(here, ".gitignore"), "utf8")) }];
    for (const name of (await readdir(here)).sort()) {
      if (truncated) return;
      const path = dir ? `${dir}/${name}` : name;
      if (path === ".git") continue;
      const stat = await lstat(join(root, path));
      const tracked = options.tracked?.has(path) || trackedDirs.has(path);
      if (!tracked && isIgnored(rules, path, stat.isDirectory())) continue;
      if (stat.isDirectory()) {
        await walk(path, rules);
        continue;
      }
      if (!tracked && options.maxNew !== undefined && ++fresh > options.maxNew) {
        truncated = true;
        return;
      }
      if (stat.isSymbolicLink()) tree.set(path, { kind: "symlink", target: await readlink(join(root, path)) });
      else if (stat.isFile()) tree.set(path, { kind: "file", executable: (stat.mode & 0o100) !== 0, size: stat.size });
      else tree.set(path, { kind: "special", what: describeSpecial(stat) });
    }
  }

  await walk("", []);
  return { tree, truncated };
}

/** The deepest `.gitignore` with an opinion on the path decides, as in git. */
function isIgnored(rules: { base: string; ignore: Ignore }[], path: string, directory: boolean): boolean {
  let ignored = false;
  for (const { base, ignore: rule } of rules) {
    const relative = (base ? path.slice(base.length + 1) : path) + (directory ? "/" : "");
    const result = rule.test(relative);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}
