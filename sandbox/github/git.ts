import { execFile, spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const IDENTITY = { GIT_AUTHOR_NAME: "Sandbox", GIT_AUTHOR_EMAIL: "sandbox@localhost", GIT_COMMITTER_NAME: "Sandbox", GIT_COMMITTER_EMAIL: "sandbox@localhost" };

export async function git(gitDir: string, args: string[]): Promise<string> {
  const { stdout } = await run("git", ["--git-dir", gitDir, ...args], { env: { ...process.env, ...IDENTITY }, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** A bare repository whose default branch has one commit holding `files`. */
export async function initRepo(gitDir: string, branch: string, files: Record<string, string>): Promise<void> {
  await mkdir(dirname(gitDir), { recursive: true });
  await run("git", ["init", "--quiet", "--bare", "--initial-branch", branch, gitDir]);
  const work = await mkdtemp(join(tmpdir(), "sandbox-init-"));
  try {
    const env = { ...process.env, ...IDENTITY };
    await run("git", ["init", "--quiet", "--initial-branch", branch, work]);
    for (const [path, content] of Object.entries({ "README.md": "# Sandbox repository\n", ...files })) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await run("git", ["-C", work, "add", "-A"], { env });
    await run("git", ["-C", work, "commit", "--quiet", "-m", "Initial commit"], { env });
    await run("git", ["-C", work, "push", "--quiet", gitDir, `${branch}:${branch}`], { env });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function resolveRef(gitDir: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(gitDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function readFileAt(gitDir: string, ref: string, path: string): Promise<string | undefined> {
  try {
    return await git(gitDir, ["show", `${ref}:${path}`]);
  } catch {
    return undefined;
  }
}

/** One entry of a tree as `git ls-tree -l` lists it. */
export interface TreeItem {
  type: "file" | "dir" | "symlink" | "submodule";
  name: string;
  path: string;
  sha: string;
  size: number;
}

/**
 * What a path is at `ref`: a file (its bytes), a directory (its entries) or undefined. The
 * root is the path "".
 */
export async function readPathAt(gitDir: string, ref: string, path: string): Promise<{ item: TreeItem; content: string } | { dir: TreeItem[] } | undefined> {
  const clean = path.replace(/^\/+|\/+$/g, "");
  const list = async (treeish: string, prefix: string) =>
    (await git(gitDir, ["ls-tree", "-l", "-z", treeish]).catch(() => ""))
      .split("\0")
      .filter(Boolean)
      .map((line): TreeItem => {
        const [meta = "", name = ""] = line.split("\t");
        const [mode = "", kind = "", sha = "", size = ""] = meta.split(/\s+/);
        const type = kind === "tree" ? "dir" : kind === "commit" ? "submodule" : mode === "120000" ? "symlink" : "file";
        return { type, name, path: prefix ? `${prefix}/${name}` : name, sha, size: type === "file" || type === "symlink" ? Number(size) : 0 };
      });
  if (!clean) return (await resolveRef(gitDir, ref)) ? { dir: await list(`${ref}^{tree}`, "") } : undefined;
  const parent = clean.includes("/") ? clean.slice(0, clean.lastIndexOf("/")) : "";
  const item = (await list(parent ? `${ref}:${parent}` : `${ref}^{tree}`, parent)).find((i) => i.path === clean);
  if (!item) return undefined;
  if (item.type === "dir") return { dir: await list(`${ref}:${clean}`, clean) };
  return { item, content: await git(gitDir, ["cat-file", "blob", item.sha]) };
}

/** Branch → sha, for telling what a push changed. */
export async function listBranches(gitDir: string): Promise<Map<string, string>> {
  const out = await git(gitDir, ["for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads"]);
  return new Map(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}

export async function diff(gitDir: string, base: string, head: string): Promise<string> {
  return git(gitDir, ["diff", `${base}...${head}`]);
}

export async function diffFiles(gitDir: string, base: string, head: string) {
  const numstat = await git(gitDir, ["diff", "--numstat", `${base}...${head}`]);
  const status = await git(gitDir, ["diff", "--name-status", `${base}...${head}`]);
  const kinds = new Map(
    status
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.split("\t").pop() ?? "", l[0]] as const),
  );
  return Promise.all(
    numstat
      .split("\n")
      .filter(Boolean)
      .map(async (line) => {
        const [add, del, filename = ""] = line.split("\t");
        const kind = kinds.get(filename);
        return {
          filename,
          status: kind === "A" ? "added" : kind === "D" ? "removed" : "modified",
          additions: Number(add) || 0,
          deletions: Number(del) || 0,
          changes: (Number(add) || 0) + (Number(del) || 0),
          patch: (await git(gitDir, ["diff", `${base}...${head}`, "--", filename])).split("\n").slice(4).join("\n"),
        };
      }),
  );
}

/** Merges `head` into `base` with a merge commit (the sandbox takes the head's tree). */
export async function mergeBranch(gitDir: string, base: string, head: string, message: string): Promise<string> {
  const baseSha = await resolveRef(gitDir, base);
  const headSha = await resolveRef(gitDir, head);
  if (!baseSha || !headSha) throw new Error("branch not found");
  const sha = (await git(gitDir, ["commit-tree", `${headSha}^{tree}`, "-p", baseSha, "-p", headSha, "-m", message])).trim();
  await git(gitDir, ["update-ref", `refs/heads/${base}`, sha, baseSha]);
  return sha;
}

/**
 * Serves git's smart HTTP protocol through `git http-backend` (CGI): the request body is
 * streamed in, the CGI headers parsed and the pack streamed out.
 */
export async function serveGit(req: IncomingMessage, res: ServerResponse, projectRoot: string, pathInfo: string, user: string): Promise<number> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const child = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_HTTP_RECEIVE_PACK: "true",
      PATH_INFO: pathInfo,
      REMOTE_USER: user,
      REMOTE_ADDR: "127.0.0.1",
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: (req.headers["content-encoding"] as string | undefined) ?? "",
      GIT_HTTP_MAX_REQUEST_BUFFER: "100M",
    },
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  let status = 200;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString().split("\r\n")) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    status = Number(headers.status?.split(" ")[0] ?? 200);
    delete headers.status;
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (c: Buffer) => stderr.push(c));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  if (!headersDone) {
    res.writeHead(500, { "content-type": "text/plain" }).end(Buffer.concat(stderr).toString() || "git http-backend failed");
    return 500;
  }
  res.end();
  return code === 0 ? status : 500;
}
