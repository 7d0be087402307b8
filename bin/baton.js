#!/usr/bin/env node
// The `baton` command. In a development checkout (the sources and tsx, a dev dependency,
// are there) it runs the TypeScript sources, so it never runs a stale build; in a
// production install (`npm ci --omit=dev`, the Docker image) it runs the compiled CLI in
// dist/, from `npm run build`.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const hasTsx = () => {
  try {
    import.meta.resolve("tsx/esm/api");
    return true;
  } catch {
    return false;
  }
};

if (existsSync(source) && hasTsx()) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/cli/main.js", import.meta.url).href);
}
