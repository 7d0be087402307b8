#!/usr/bin/env node
// The `baton` command. It runs the compiled CLI (dist/, from `npm run build`) when there is
// one, as a production install has; otherwise the TypeScript sources through tsx, a
// development dependency. `npm run baton` always runs the sources.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
