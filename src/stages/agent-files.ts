import { lstat, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { PermanentError } from "../errors.js";

/** What text-only agents see of the files a spec names: enough to edit them, bounded. */
const MAX_SOURCE_BYTES = 32 * 1024;
const MAX_SOURCES_BYTES = 128 * 1024;

/** A path inside the workspace, or a refusal: no absolute paths, no `..`, nothing in `.git`. */
function insideWorkspace(workspace: string, path: string): string {
  const clean = normalize(path);
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`) || clean.split(sep).includes(".git")) {
    throw new PermanentError(`the agent asked to write \`${path}\`, which is outside the repository checkout.`, {
      hint: "Comment `/baton retry` to run the agent again.",
    });
  }
  return join(workspace, clean);
}

/**
 * The current text of the files the spec names, for agents that cannot read the checkout
 * themselves (the HTTP backends). Missing files are listed as new.
 */
export async function readSources(workspace: string, paths: readonly string[]): Promise<string> {
  let budget = MAX_SOURCES_BYTES;
  const parts: string[] = [];
  const root = await realpath(workspace);
  for (const path of paths) {
    // Only files really inside the checkout: a link to /etc/… must not reach a model's API.
    const real = await realpath(insideWorkspace(workspace, path)).catch(() => undefined);
    const text = real?.startsWith(`${root}${sep}`) ? await readFile(real, "utf8").catch(() => undefined) : undefined;
    if (text === undefined) {
      parts.push(`### ${path}\n\n(does not exist yet)`);
      continue;
    }
    const shown = text.slice(0, Math.min(MAX_SOURCE_BYTES, Math.max(budget, 0)));
    budget -= shown.length;
    parts.push(`### ${path}\n\n\`\`\`\n${shown}\n\`\`\`${shown.length < text.length ? `\n(cut at ${shown.length} of ${text.length} characters)` : ""}`);
  }
  return parts.join("\n\n");
}

/** Writes the whole files a text-only agent returned; symlinks are never followed out. */
export async function writeAgentFiles(workspace: string, files: readonly { path: string; content: string }[]): Promise<void> {
  const root = await realpath(workspace);
  for (const file of files) {
    const target = insideWorkspace(workspace, file.path);
    const refuse = () =>
      new PermanentError(
        `the agent asked to write \`${file.path}\`, which goes through a symbolic link in the repository; Baton does not write through links.`,
      );
    if ((await lstat(target).catch(() => undefined))?.isSymbolicLink()) throw refuse();
    await mkdir(dirname(target), { recursive: true });
    // A linked directory on the way (`docs -> /etc`) would lead out of the checkout.
    const parent = await realpath(dirname(target));
    if (parent !== root && !parent.startsWith(`${root}${sep}`)) throw refuse();
    await writeFile(target, file.content);
  }
}

/** A line git writes where a merge conflicts: `<<<<<<< ours`, `=======`, `>>>>>>> theirs`. */
const CONFLICT_MARKER = /^(<{7}|>{7})( |$)/m;

/** Which of `paths` still hold conflict markers in the agent's checkout (a resolution is never pushed half done). */
export async function filesWithConflictMarkers(workspace: string, paths: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  for (const path of paths) {
    const file = insideWorkspace(workspace, path);
    // The agent's checkout is data: a link or a pipe left there is not followed or read.
    if (!(await lstat(file).catch(() => undefined))?.isFile()) continue;
    if (CONFLICT_MARKER.test(await readFile(file, "utf8"))) left.push(path);
  }
  return left;
}
