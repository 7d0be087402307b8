import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "baton.js");

/** Runs the real `baton` executable as a user would. */
function baton(args: string[], cwd = ROOT): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe("baton validate", () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), "baton-cli-"));
  });
  afterAll(async () => rm(emptyDir, { recursive: true, force: true }));

  it("validates the default pipeline when the repository has no config file", async () => {
    const { code, out } = await baton(["validate"], emptyDir);
    expect(code).toBe(0);
    expect(out).toContain("the default pipeline applies");
    expect(out).toContain("✓ .github/baton.yml is valid");
  });

  it("exits 1 with readable messages for a broken file", async () => {
    const { code, out } = await baton(["validate", "test/fixtures/config/label-mismatch.yml"]);
    expect(code).toBe(1);
    expect(out).toContain('error: stages.design.on: stage "design" waits for label "status:triaged"');
  });

  it("exits 2 for a file that cannot be read", async () => {
    const { code, out } = await baton(["validate", "does-not-exist.yml"]);
    expect(code).toBe(2);
    expect(out).toContain("cannot read does-not-exist.yml");
  });
});
