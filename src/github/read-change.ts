import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { join, posix } from "node:path";
import { PermanentError } from "../errors.js";
import { readTree, type Tree, type TreeEntry } from "./read-tree.js";

/** One path the agent added, changed or (entry absent) deleted; a file's bytes travel with it. */
export interface ChangedPath {
  path: string;
  entry?: TreeEntry;
  content?: Buffer;
}

/** What Baton lets through from an agent's checkout; operators tune it through env. */
export interface ChangeRules {
  allowWorkflows: boolean;
  maxFiles: number;
  maxBytes: number;
}

const MAX_LINK_HOPS = 40;
const isGitDir = (part: string) => part.toLowerCase() === ".git";
const isWorkflowPath = (path: string) => {
  const lower = path.toLowerCase();
  return lower === ".github" || lower === ".github/workflows" || lower.startsWith(".github/workflows/");
};

/**
 * Where a link leads, resolved the way the kernel would but inside `tree` only: `undefined`
 * when it leaves the repository (an absolute target, or more `..` than there are levels,
 * through any chain of links), else the repository-relative path.
 */
function resolveLink(tree: Tree, path: string): string | undefined {
  let hops = 0;
  const walk = (start: string[], target: string): string[] | undefined => {
    if (posix.isAbsolute(target) || ++hops > MAX_LINK_HOPS) return undefined;
    const stack = [...start];
    for (const part of target.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (stack.length === 0) return undefined;
        stack.pop();
        continue;
      }
      stack.push(part);
      const entry = tree.get(stack.join("/"));
      if (entry?.kind === "symlink") {
        const resolved = walk(stack.slice(0, -1), entry.target);
        if (!resolved) return undefined;
        stack.splice(0, stack.length, ...resolved);
      }
    }
    return stack;
  };
  const link = tree.get(path);
  if (link?.kind !== "symlink") return path;
  return walk(path.split("/").slice(0, -1), link.target)?.join("/");
}

/** Why a changed path may not land, or undefined when it may. */
function refusalOf(change: ChangedPath, tree: Tree, rules: ChangeRules): string | undefined {
  const { path, entry } = change;
  if (path.split("/").some(isGitDir)) return "a path inside `.git`: git's own files are never part of a change";
  if (entry?.kind === "special") return `${entry.what}, which git cannot hold`;
  if (entry?.kind === "symlink") {
    const resolved = resolveLink(tree, path);
    if (resolved === undefined) return "a symbolic link that leads out of the repository";
    if (resolved.split("/").some(isGitDir)) return "a symbolic link into `.git`";
  }
  if (!rules.allowWorkflows && isWorkflowPath(path))
    return "a GitHub Actions workflow, which agents may not change unless the operator sets BATON_ALLOW_WORKFLOW_CHANGES=true";
  return undefined;
}

const sameEntry = (a: TreeEntry, b: TreeEntry) =>
  a.kind === b.kind &&
  (a.kind === "file"
    ? b.kind === "file" && a.executable === b.executable && a.size === b.size
    : a.kind === "symlink"
      ? b.kind === "symlink" && a.target === b.target
      : false);

/** A file's bytes, refusing to follow a link swapped in since the walk. */
async function readNoFollow(path: string): Promise<Buffer | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    return (await handle.stat()).isFile() ? await handle.readFile() : undefined;
  } finally {
    await handle.close();
  }
}

function render(change: ChangedPath): string {
  const link = change.entry?.kind === "symlink" ? ` → \`${change.entry.target}\`` : "";
  return `\`${change.path}\`${link}${change.entry ? "" : " (deleted)"}`;
}

/**
 * The change an agent made: its copy of the checkout (data, read with lstat and never
 * followed) against Baton's own clone of the same commit, which no agent touched. Every
 * changed path is checked; any refusal throws a PermanentError naming each path and rule,
 * so nothing is pushed and the issue says what was refused.
 */
export async function readChange(agentCopy: string, clone: string, rules: ChangeRules): Promise<ChangedPath[]> {
  const { tree: base } = await readTree(clone);
  const { tree, truncated } = await readTree(agentCopy, { tracked: base, maxNew: rules.maxFiles });
  if (truncated) throw tooLarge(`more than ${rules.maxFiles} new files`);
  const changes: ChangedPath[] = [];
  let bytes = 0;
  for (const [path, entry] of tree) {
    const before = base.get(path);
    let content: Buffer | undefined;
    if (entry.kind === "file") {
      content = await readNoFollow(join(agentCopy, path));
      if (!content)
        throw new PermanentError(`\`${path}\` changed while Baton was reading the agent's checkout; nothing was pushed.`, { hint: "Comment `/baton retry`." });
      if (before && sameEntry(before, entry) && content.equals((await readNoFollow(join(clone, path))) ?? Buffer.alloc(0))) continue;
      bytes += content.length;
    } else if (before && sameEntry(before, entry)) continue;
    changes.push({ path, entry, content });
  }
  for (const path of base.keys()) if (!tree.has(path)) changes.push({ path });
  if (changes.length > rules.maxFiles) throw tooLarge(`${changes.length} changed files (the limit is ${rules.maxFiles}, BATON_MAX_CHANGED_FILES)`);
  if (bytes > rules.maxBytes) throw tooLarge(`${bytes} bytes of changed files (the limit is ${rules.maxBytes}, BATON_MAX_CHANGE_BYTES)`);
  const refused = changes.flatMap((change) => {
    const reason = refusalOf(change, tree, rules);
    return reason ? [`- ${render(change)}: ${reason}`] : [];
  });
  if (refused.length > 0) {
    throw new PermanentError(
      `Baton refused the agent's change; nothing was pushed:\n\n${refused.slice(0, 50).join("\n")}${refused.length > 50 ? `\n- … and ${refused.length - 50} more` : ""}`,
      {
        hint: "Change the spec or the issue so the work does not need these paths (an operator decides about workflow files), then comment `/baton retry`.",
      },
    );
  }
  return changes;
}

function tooLarge(what: string): PermanentError {
  return new PermanentError(`Baton refused the agent's change, which is too large: ${what}. Nothing was pushed.`, {
    hint: "Files a build or `npm ci` writes belong in `.gitignore`. Narrow the spec, or ask the operator to raise the limit, then comment `/baton retry`.",
  });
}
