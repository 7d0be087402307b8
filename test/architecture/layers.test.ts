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

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function layerOf(path: string): number {
  const [top = ""] = relative("src", path).split("/");
  return top.endsWith(".ts") ? (FILES[top] ?? 0) : (LAYERS[top] ?? Number.NaN);
}

/** The modules a file imports at run time (type-only imports vanish; dynamic ones count). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/^import (?!type )[^;]*? from "(\.[^"]+)"/gms), ...text.matchAll(/\bimport\("(\.[^"]+)"\)/g)];
  return found.map((m) => relative(process.cwd(), resolve(dirname(file), m[1] ?? "").replace(/\.js$/, ".ts")));
}

/** Every cycle of run-time imports, each as its path from its first module back to it. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const cycles = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      const cycle = path.slice(path.indexOf(file));
      const start = cycle.indexOf([...cycle].sort()[0] ?? file);
      cycles.add([...cycle.slice(start), ...cycle.slice(0, start), cycle[start]].join(" -> "));
      return;
    }
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  return [...cycles];
}

describe("layers", () => {
  const files = sources("src");
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => target.startsWith("src/"))]));
  const upward = files.flatMap((file) => (graph.get(file) ?? []).filter((target) => layerOf(target) > layerOf(file)).map((target) => `${file} -> ${target}`));

  it("puts every directory of src/ in a layer", () => {
    expect(files.map(layerOf).filter(Number.isNaN)).toEqual([]);
  });

  it("imports only downward", () => {
    expect(upward).toEqual([]);
  });

  it("has no cycle of run-time imports", () => {
    expect(cyclesOf(graph)).toEqual([]);
  });
});
