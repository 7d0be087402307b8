import { createCheckRun, updateCheckRun } from "./collab.js";
import type { CheckRun, CiScript, Repo } from "./state.js";
import type { World } from "./world.js";

/**
 * The sandbox's built-in CI: tests script it per repository (`setCi`) and every push to a
 * branch other than the default starts one check run whose conclusion is the script's next
 * entry (the last one repeats), like a test suite that fails once and then passes.
 */
/** The conclusion each held run will end with. */
const planned = new WeakMap<CheckRun, string>();

export function setCi(repo: Repo, script: { name?: string; conclusions: string[]; delayMs?: number; hold?: boolean }): CiScript {
  repo.ci = { name: script.name ?? "test", conclusions: script.conclusions, delayMs: script.delayMs ?? 50, hold: script.hold, runs: 0 };
  return repo.ci;
}

/** Starts the scripted run for a pushed commit (nothing when the repository has no CI). */
export async function startCi(world: World, repo: Repo, branch: string, sha: string): Promise<void> {
  const ci = repo.ci;
  if (!ci || branch === repo.defaultBranch) return;
  const conclusion = ci.conclusions[Math.min(ci.runs, ci.conclusions.length - 1)] ?? "success";
  ci.runs++;
  const run = await createCheckRun(world, repo, { name: ci.name, head_sha: sha, status: "in_progress" }, "sandbox-ci");
  if (ci.hold) return void planned.set(run, conclusion);
  setTimeout(() => void finishCi(world, repo, run, conclusion), ci.delayMs);
}

/** Completes a CI run; a failure carries a summary, a log excerpt and one annotation, as real CI does. */
export async function finishCi(world: World, repo: Repo, run: CheckRun, conclusion: string): Promise<void> {
  const failed = conclusion !== "success";
  await updateCheckRun(world, repo, run, {
    conclusion,
    output: failed
      ? {
          title: "1 test failed",
          summary: "test/settings.test.ts: dark mode toggle › remembers the choice",
          text: 'Expected: "dark"\nReceived: "light"',
          annotations: [
            {
              path: "src/settings.ts",
              start_line: 3,
              end_line: 3,
              annotation_level: "failure",
              message: 'Expected "dark", received "light"',
              title: "remembers the choice",
            },
          ],
        }
      : { title: "All tests passed", summary: "12 tests passed" },
  });
}

/** Finishes every held run of the repository's CI (for tests that hold checks pending). */
export async function releaseCi(world: World, repo: Repo): Promise<void> {
  const ci = repo.ci;
  if (!ci) return;
  for (const run of repo.checkRuns.filter((r) => r.app === "sandbox-ci" && r.status !== "completed")) {
    await finishCi(world, repo, run, planned.get(run) ?? "success");
  }
}
