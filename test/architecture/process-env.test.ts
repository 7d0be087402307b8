import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Settings are read once at the edge and passed down (docs/architecture.md §3): only the
 * entry points read `process.env`; every other module takes the runtime's `env` (parsed)
 * or `processEnv` (as given: agents' secrets, PATH).
 */
const EDGE = ["src/main.ts", "src/cli/connect.ts"];

/** Known readers, to be removed, never added to. */
const KNOWN: string[] = [];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** `process.env` in code, not in comments. */
const readsProcessEnv = (text: string) =>
  text.split("\n").some((line) => !/^\s*(\*|\/\/|\/\*)/.test(line) && /\bprocess\.env\b/.test(line.replace(/\/\/.*$/, "")));

describe("the environment", () => {
  const readers = sources("src").filter((file) => readsProcessEnv(readFileSync(file, "utf8")));

  it("is read only at the edge, but for the known readers, which all still read it", () => {
    expect(readers.filter((file) => !EDGE.includes(file) && !KNOWN.includes(file))).toEqual([]);
    expect(KNOWN.filter((file) => !readers.includes(file))).toEqual([]);
  });

  it("is read by the entry points", () => {
    expect(EDGE.filter((file) => !readers.includes(file))).toEqual([]);
  });
});
