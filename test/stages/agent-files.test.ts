import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSources, writeAgentFiles } from "../../src/stages/agent-files.js";
import { PermanentError } from "../../src/errors.js";

/** Whole files from a text-only agent are written inside the checkout, and nowhere else. */
describe("files an agent returns", () => {
  let dir: string;
  let workspace: string;
  let outside: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "baton-agent-files-"));
    workspace = join(dir, "ws");
    outside = join(dir, "outside");
    await mkdir(workspace);
    await mkdir(outside);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes new and nested files, and shows existing ones back", async () => {
    await writeAgentFiles(workspace, [{ path: "src/deep/a.ts", content: "export {};\n" }]);
    expect(await readFile(join(workspace, "src/deep/a.ts"), "utf8")).toBe("export {};\n");
    const sources = await readSources(workspace, ["src/deep/a.ts", "missing.md"]);
    expect(sources).toContain("### src/deep/a.ts\n\n```\nexport {};\n\n```");
    expect(sources).toContain("### missing.md\n\n(does not exist yet)");
  });

  it.each([["../escape.txt"], ["/etc/passwd"], [".git/hooks/pre-commit"], ["a/../../escape.txt"]])("refuses %s", async (path) => {
    await expect(writeAgentFiles(workspace, [{ path, content: "x" }])).rejects.toThrow(PermanentError);
  });

  it("refuses to write through a linked file or a linked directory", async () => {
    await symlink(outside, join(workspace, "docs"));
    await symlink(join(outside, "target.txt"), join(workspace, "note.txt"));

    await expect(writeAgentFiles(workspace, [{ path: "docs/x.md", content: "x" }])).rejects.toThrow(/symbolic link/);
    await expect(writeAgentFiles(workspace, [{ path: "note.txt", content: "x" }])).rejects.toThrow(/symbolic link/);
    await expect(readFile(join(outside, "x.md"))).rejects.toThrow();
    await expect(readFile(join(outside, "target.txt"))).rejects.toThrow();
  });

  it("does not show a model what a link points to outside the checkout", async () => {
    await writeFile(join(outside, "secret.txt"), "do not send");
    await symlink(outside, join(workspace, "docs"));

    expect(await readSources(workspace, ["docs/secret.txt"])).not.toContain("do not send");
  });
});
