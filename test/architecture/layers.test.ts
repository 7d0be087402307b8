import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * Layers import one way only (docs/architecture.md §10): a module may import its own layer
 * and the ones below, never one above. Type-only imports do not count (they vanish at run
 * time and make no cycle).
 */
const LAYERS: Record<string, number> = { config: 0, process: 0, sandbox: 0, github: 1, observe: 1, agents: 2, knowledge: 3, stages: 3, pipeline: 4, cli: 5 };
/** Top-level files: the entry points sit on top, the shared plumbing at the bottom. */
const FILES: Record<string, number> = { "main.ts": 5, "app.ts": 5, "create-runtime.ts": 5 };

/**
 * Known imports that run back up, to be removed, never added to: the stage-kind registry
 * lives in `src/stages`, but the agent runner and the config validator read the kinds'
 * answer schemas, prompts and outcomes from it. Moving those descriptors below `agents`
 * (and keeping only the handlers in `stages`) ends both.
 */
const KNOWN = ["src/agents/run-agent.ts -> src/stages/index.ts", "src/config/validate-pipeline.ts -> src/stages/index.ts"];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

function layerOf(path: string): number {
  const [top = ""] = relative("src", path).split("/");
  return top.endsWith(".ts") ? (FILES[top] ?? 0) : (LAYERS[top] ?? Number.NaN);
}

describe("layers", () => {
  const files = sources("src");
  const upward = files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/^import (?!type )[^;]*? from "(\.[^"]+)"/gms)]
      .map((m) => resolve(dirname(file), m[1] ?? "").replace(/\.js$/, ".ts"))
      .filter((target) => layerOf(target) > layerOf(file))
      .map((target) => `${file} -> ${relative(process.cwd(), target)}`),
  );

  it("puts every directory of src/ in a layer", () => {
    expect(files.map(layerOf).filter(Number.isNaN)).toEqual([]);
  });

  it("imports only downward, but for the known exceptions, which are all still needed", () => {
    expect(upward.filter((edge) => !KNOWN.includes(edge))).toEqual([]);
    expect(KNOWN.filter((edge) => !upward.includes(edge))).toEqual([]);
  });
});
