import { execFile } from "node:child_process";
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { applyChange } from "../../src/github/apply-change.js";
import { readChange, type ChangeRules } from "../../src/github/read-change.js";

const run = promisify(execFile);
const RULES: ChangeRules = { allowWorkflows: false, maxFiles: 100, maxBytes: 1024 * 1024 };

/**
 * Reading an agent's copy against Baton's clone, and applying it: real directories, real
 * links, a real fifo. The attack tests in test/stages/safe-outputs.test.ts run the same
 * code through the implement stage.
 */
describe("reading and applying an agent's change", () => {
  let root: string;
  let clone: string;
  let copy: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "baton-change-"));
    clone = join(root, "clone");
    copy = join(root, "copy");
    for (const dir of [clone, copy]) {
      await put(dir, "README.md", "# app\n");
      await put(dir, "src/old.ts", "old\n");
      await put(dir, "run.sh", "#!/bin/sh\n");
      await put(dir, ".gitignore", "node_modules/\n");
    }
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function put(dir: string, path: string, content: string): Promise<void> {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }

  it("applies additions, edits, deletions and the executable bit, and skips what .gitignore ignores", async () => {
    await put(copy, "src/new.ts", "new\n");
    await put(copy, "README.md", "# app, edited\n");
    await rm(join(copy, "src/old.ts"));
    await chmod(join(copy, "run.sh"), 0o755);
    await put(copy, "node_modules/dep/index.js", "dep\n");
    await symlink("src/new.ts", join(copy, "link"));

    const changes = await readChange(copy, clone, RULES);
    await applyChange(clone, changes);

    expect(changes.map((c) => c.path).sort()).toEqual(["README.md", "link", "run.sh", "src/new.ts", "src/old.ts"]);
    expect(await readFile(join(clone, "src/new.ts"), "utf8")).toBe("new\n");
    expect(await readFile(join(clone, "README.md"), "utf8")).toBe("# app, edited\n");
    await expect(lstat(join(clone, "src/old.ts"))).rejects.toThrow("ENOENT");
    expect((await lstat(join(clone, "run.sh"))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(clone, "link"))).toBe("src/new.ts");
    await expect(lstat(join(clone, "node_modules"))).rejects.toThrow("ENOENT");
  });

  it("finds no change in an untouched copy, and ignores the copy's own .git", async () => {
    await put(copy, ".git/hooks/pre-push", "#!/bin/sh\n");

    expect(await readChange(copy, clone, RULES)).toEqual([]);
  });

  it("refuses a .git directory anywhere else, whatever its case", async () => {
    await put(copy, "sub/.GIT/config", "[core]\n");

    await expect(readChange(copy, clone, RULES)).rejects.toThrow("`sub/.GIT/config`: a path inside `.git`");
  });

  it("refuses a chain of links that leaves the tree, though each link alone stays inside", async () => {
    await mkdir(join(copy, "a"));
    await symlink("..", join(copy, "a/l"));
    await symlink("a/l/..", join(copy, "m"));

    await expect(readChange(copy, clone, RULES)).rejects.toThrow("`m` → `a/l/..`: a symbolic link that leads out of the repository");
  });

  it("refuses special files", async () => {
    await run("mkfifo", [join(copy, "pipe")]);

    await expect(readChange(copy, clone, RULES)).rejects.toThrow("`pipe`: a named pipe, which git cannot hold");
  });

  it("refuses deleting a workflow as it refuses adding one", async () => {
    await put(clone, ".github/workflows/ci.yml", "on: push\n");

    await expect(readChange(copy, clone, RULES)).rejects.toThrow("`.github/workflows/ci.yml` (deleted): a GitHub Actions workflow");
  });

  it("refuses a change past the file or byte limit", async () => {
    for (let i = 0; i < 4; i++) await put(copy, `gen/${i}.txt`, "x".repeat(100));

    await expect(readChange(copy, clone, { ...RULES, maxFiles: 3 })).rejects.toThrow("more than 3 new files");
    await expect(readChange(copy, clone, { ...RULES, maxBytes: 300 })).rejects.toThrow("400 bytes of changed files (the limit is 300, BATON_MAX_CHANGE_BYTES)");
  });

  it("replaces a directory the agent turned into a link without writing through it", async () => {
    await rm(join(copy, "src"), { recursive: true });
    await symlink("README.md", join(copy, "src"));

    await applyChange(clone, await readChange(copy, clone, RULES));

    expect(await readlink(join(clone, "src"))).toBe("README.md");
    expect(await readFile(join(clone, "README.md"), "utf8")).toBe("# app\n");
  });
});
