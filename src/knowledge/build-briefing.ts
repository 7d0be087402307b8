import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import { createSafeGit } from "../github/safe-git.js";
import type { Briefing, BriefedFile } from "./briefing.js";
import { topTerms, words } from "./words.js";

/** Files larger than this are listed but not read. */
const MAX_READ_BYTES = 256 * 1024;
const TERMS_PER_FILE = 30;
const CONVENTIONS = ["AGENTS.md", "CLAUDE.md", "CONTRIBUTING.md", ".github/copilot-instructions.md"];
const CONVENTION_CHARS = 3000;

const LANGUAGES: Record<string, string> = {
  ".ts": "TypeScript",
  ".tsx": "TypeScript",
  ".js": "JavaScript",
  ".mjs": "JavaScript",
  ".cjs": "JavaScript",
  ".jsx": "JavaScript",
  ".py": "Python",
  ".go": "Go",
  ".rs": "Rust",
  ".java": "Java",
  ".kt": "Kotlin",
  ".rb": "Ruby",
  ".php": "PHP",
  ".cs": "C#",
  ".c": "C",
  ".h": "C",
  ".cpp": "C++",
  ".cc": "C++",
  ".swift": "Swift",
  ".scala": "Scala",
  ".sh": "Shell",
  ".css": "CSS",
  ".scss": "CSS",
  ".html": "HTML",
  ".vue": "Vue",
  ".svelte": "Svelte",
  ".md": "Markdown",
  ".yml": "YAML",
  ".yaml": "YAML",
  ".json": "JSON",
};
/** Dependencies worth naming as the stack, by the manifest word that reveals them. */
const FRAMEWORKS = [
  "react",
  "next",
  "vue",
  "svelte",
  "angular",
  "express",
  "fastify",
  "koa",
  "nestjs",
  "probot",
  "jest",
  "vitest",
  "mocha",
  "playwright",
  "typescript",
  "django",
  "flask",
  "fastapi",
  "pytest",
  "rails",
  "rspec",
  "spring",
  "gin",
  "tokio",
  "actix",
  "axum",
];

interface TreeEntry {
  path: string;
  blob: string;
  size: number;
}

async function listTree(dir: string, searchPath: string): Promise<TreeEntry[]> {
  const git = await createSafeGit(searchPath);
  const out = await git.run(dir, ["ls-tree", "-r", "-l", "-z", "HEAD"]).finally(() => git.close());
  return (
    out
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const [meta = "", path = ""] = line.split("\t");
        const [mode, type, blob = "", size] = meta.split(/\s+/);
        return { mode, type, path, blob, size: Number(size) || 0 };
      })
      // Regular files only: symlinks and submodules are never followed out of the checkout.
      .filter((e) => e.type === "blob" && (e.mode === "100644" || e.mode === "100755"))
  );
}

async function readText(dir: string, entry: TreeEntry): Promise<string | undefined> {
  if (entry.size > MAX_READ_BYTES) return undefined;
  const buffer = await readFile(join(dir, entry.path));
  return buffer.includes(0) ? undefined : buffer.toString("utf8");
}

const topDir = (path: string) => (path.includes("/") ? path.split("/")[0] + "/" : ".");

function countBy<T>(items: T[], key: (item: T) => string | undefined): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** package.json scripts, Makefile targets and CI workflow `run:` steps: how this repository builds and tests. */
function findCommands(texts: Map<string, string>): Briefing["commands"] {
  const commands: Briefing["commands"] = [];
  const pkg = texts.get("package.json");
  if (pkg) {
    try {
      const scripts = (JSON.parse(pkg) as { scripts?: Record<string, string> }).scripts ?? {};
      for (const [name, run] of Object.entries(scripts)) commands.push({ source: "package.json", name: `npm run ${name}`, run: String(run) });
    } catch {
      // An unreadable manifest names no commands.
    }
  }
  for (const [path, text] of texts) {
    if (path === "Makefile") for (const m of text.matchAll(/^([a-zA-Z][\w-]*):/gm)) commands.push({ source: path, name: `make ${m[1]}`, run: `make ${m[1]}` });
    if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path))
      for (const m of text.matchAll(/^\s*(?:-\s*)?run:\s*(.+)$/gm)) commands.push({ source: path, name: "ci step", run: (m[1] ?? "").trim() });
  }
  return commands.slice(0, 40).map((c) => ({ source: c.source, name: sanitizeUntrusted(c.name).slice(0, 100), run: sanitizeUntrusted(c.run).slice(0, 300) }));
}

function findFrameworks(texts: Map<string, string>): string[] {
  const manifests = ["package.json", "requirements.txt", "pyproject.toml", "Gemfile", "go.mod", "Cargo.toml", "pom.xml", "build.gradle"];
  const found = new Set<string>();
  for (const path of manifests) {
    const text = texts.get(path);
    if (!text) continue;
    const manifestWords = new Set(
      text
        .toLowerCase()
        .split(/[^a-z0-9@/.-]+/)
        .flatMap((w) => [w, w.replace(/^@/, "").split("/")[0] ?? w]),
    );
    for (const name of FRAMEWORKS) if (manifestWords.has(name)) found.add(name);
  }
  return [...found];
}

/** What each top directory holds: its languages, its commonest words, and the files most typical of it. */
function describeLayout(files: BriefedFile[]): Briefing["layout"] {
  const dirs = countBy(files, (f) => topDir(f.path)).slice(0, 25);
  return dirs.map(([dir, count]) => {
    const inDir = files.filter((f) => topDir(f.path) === dir);
    const holds = countBy(
      inDir.flatMap((f) => f.terms.slice(0, 10)),
      (t) => t,
    )
      .slice(0, 8)
      .map(([t]) => t);
    const typical = new Set(holds);
    const keyFiles = inDir
      .map((f) => ({ path: f.path, score: f.terms.filter((t) => typical.has(t)).length }))
      .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
      .slice(0, 5)
      .map((f) => f.path);
    const languages = countBy(inDir, (f) => LANGUAGES[extname(f.path)])
      .slice(0, 3)
      .map(([l]) => l);
    return { dir, files: count, languages, holds, key_files: keyFiles };
  });
}

/**
 * The deterministic scout pass over a checkout. With the previous commit's briefing, files
 * whose git blob id is unchanged keep their terms and are not read again: the rebuild
 * reads only what changed (blob ids come from `git ls-tree`, which a depth-1 clone has).
 */
export async function buildBriefing(dir: string, repo: string, sha: string, searchPath: string, previous?: Briefing): Promise<Briefing> {
  const tree = await listTree(dir, searchPath);
  const known = new Map((previous?.files ?? []).map((f) => [f.blob, f]));
  const always = new Set([
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "Gemfile",
    "go.mod",
    "Cargo.toml",
    "pom.xml",
    "build.gradle",
    "Makefile",
    ...CONVENTIONS,
  ]);
  const texts = new Map<string, string>();
  const files: BriefedFile[] = [];
  let changed = 0;
  for (const entry of tree) {
    const wanted = always.has(entry.path) || entry.path.startsWith(".github/workflows/");
    const reuse = known.get(entry.blob);
    let text: string | undefined;
    if (!reuse || wanted) text = await readText(dir, entry);
    if (text !== undefined && wanted) texts.set(entry.path, text);
    if (reuse) {
      files.push({ ...reuse, path: entry.path });
      continue;
    }
    changed++;
    const terms = text === undefined ? topTerms(entry.path, TERMS_PER_FILE) : topTerms(`${entry.path}\n${entry.path}\n${text}`, TERMS_PER_FILE);
    files.push({ path: entry.path, blob: entry.blob, size: entry.size, terms });
  }
  return {
    repo,
    sha,
    built_at: new Date().toISOString(),
    ...(previous ? { from_sha: previous.sha } : {}),
    changed_files: changed,
    layout: describeLayout(files),
    languages: countBy(files, (f) => LANGUAGES[extname(f.path)])
      .slice(0, 8)
      .map(([name, count]) => ({ name, files: count })),
    frameworks: findFrameworks(texts),
    commands: findCommands(texts),
    conventions: CONVENTIONS.filter((p) => texts.has(p)).map((path) => ({ path, text: sanitizeUntrusted(texts.get(path) ?? "").slice(0, CONVENTION_CHARS) })),
    files,
  };
}

/** How many words of `text` a file shares by path (counted thrice) and by content. */
export function scoreFile(file: BriefedFile, wanted: Set<string>): number {
  const pathWords = new Set(words(file.path));
  let score = 0;
  for (const w of wanted) {
    if (pathWords.has(w)) score += 3;
    if (file.terms.includes(w)) score += 1;
  }
  return score;
}

/** The files sharing the most words with `text`, best first; files sharing none are left out. */
export function rankFiles(briefing: Briefing, text: string, limit = 10): { path: string; score: number }[] {
  const wanted = new Set(words(text));
  return briefing.files
    .map((f) => ({ path: f.path, score: scoreFile(f, wanted) }))
    .filter((f) => f.score > 0)
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
    .slice(0, limit);
}
