import { readFileSync } from "node:fs";
import { PermanentError } from "../errors.js";

/**
 * A secret from the server's environment (the runtime's `processEnv`): `NAME`, or the file named by `NAME_FILE` (a
 * mounted Docker or Kubernetes secret). Never from a repository's config.
 */
export function readSecret(name: string, env: Readonly<NodeJS.ProcessEnv>): string | undefined {
  const direct = env[name]?.trim();
  if (direct) return direct;
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch (error) {
    throw new PermanentError(`${name}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`, {
      hint: `Mount the file, or set ${name} instead.`,
    });
  }
}
